"""Events are PHI in transit: the runtime's Kafka clients speak TLS to a broker whose certificate
a test CA signed, and refuse a broker they cannot verify (tests/support/tls.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from aiokafka.errors import KafkaConnectionError

from contracts.topics import SCREENING, TOPICS
from tests.integration.harness import effect_count, emit, running, screen, settings_for
from tests.support.infra import Infrastructure
from tests.support.tls import TlsBroker, tls_broker
from tests.support.waiting import eventually
from warmlink.kafka import ensure_topics, new_consumer, new_producer, topic_name

SCREENING_TOPIC = next(t for t in TOPICS if t.name == SCREENING)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    with tls_broker(tmp_path_factory.mktemp("kafka-tls")) as broker:
        yield broker


def _over_tls(infra: Infrastructure, tls: TlsBroker) -> Infrastructure:
    return replace(infra, kafka_bootstrap=tls.bootstrap, kafka_profile="tansu", broker=None)


async def test_the_relay_and_a_consumer_carry_events_over_tls_with_the_networks_ca(
    infra: Infrastructure, tls: TlsBroker, database_url: str
) -> None:
    settings = settings_for(
        _over_tls(infra, tls),
        database_url,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=tls.ca_file,
    )
    # Topic creation (admin client), the outbox relay (producer) and the idempotent consumer.
    async with running(settings) as rt:
        await emit(rt, screen("over-tls-1"), screen("over-tls-2"))
        await eventually(lambda: effect_count(rt), until=lambda n: n == 2, what="both effects")
        assert (
            await rt.pool.fetchval(
                "SELECT count(*) FROM effects WHERE patient_ref LIKE 'over-tls-%'"
            )
            == 2
        )


async def test_a_client_without_the_networks_ca_does_not_connect(
    infra: Infrastructure, tls: TlsBroker, database_url: str
) -> None:
    settings = settings_for(
        _over_tls(infra, tls), database_url, kafka_security_protocol="SSL"
    )  # the system's CAs only: the test CA's broker certificate is not trusted
    with pytest.raises(KafkaConnectionError):
        await ensure_topics(settings, attempts=1)


@pytest.fixture(scope="module")
def mutual_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    with tls_broker(tmp_path_factory.mktemp("kafka-mtls"), client_cert_required=True) as broker:
        yield broker


async def test_a_broker_requiring_client_certificates_takes_the_configured_one(
    infra: Infrastructure, mutual_tls: TlsBroker, database_url: str
) -> None:
    tls = mutual_tls
    settings = settings_for(
        _over_tls(infra, tls),
        database_url,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=tls.ca_file,
        kafka_ssl_certfile=tls.client_cert,
        kafka_ssl_keyfile=tls.client_key,
    )
    await ensure_topics(settings, [SCREENING_TOPIC], attempts=1)
    producer = new_producer(settings)
    consumer = new_consumer(settings, "mtls-reader", [SCREENING])
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic_name(settings, SCREENING), b"phi in transit")
        batch = await eventually(
            lambda: consumer.getmany(timeout_ms=200), what="the record, read back over mTLS"
        )
        assert [r.value for records in batch.values() for r in records] == [b"phi in transit"]
    finally:
        await consumer.stop()
        await producer.stop()

    without_cert = settings_for(
        _over_tls(infra, tls),
        database_url,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=tls.ca_file,
    )
    with pytest.raises(KafkaConnectionError):
        await ensure_topics(without_cert, attempts=1)
