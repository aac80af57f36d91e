"""Kafka client configuration per broker profile; no broker is contacted."""

import ssl
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from warmlink.kafka import consumer_config, new_consumer, producer_config, topic_name
from warmlink.settings import ServiceSettings


class S(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="KAFKATEST_")
    service_name: ClassVar[str] = "svc"


def tansu(**kw: Any) -> S:
    return S(kafka_profile="tansu", **kw)


def kafka(**kw: Any) -> S:
    return S(kafka_profile="kafka", **kw)


def test_common_settings_name_the_service_and_broker() -> None:
    config = producer_config(S(kafka_bootstrap_servers="b1:9092,b2:9092"))
    assert config["bootstrap_servers"] == "b1:9092,b2:9092"
    assert config["client_id"] == "warmlink-svc"
    assert config["security_protocol"] == "PLAINTEXT"
    assert "sasl_mechanism" not in config


def test_tansu_producer_is_not_idempotent_but_waits_for_all_acks() -> None:
    config = producer_config(tansu())
    assert config["enable_idempotence"] is False
    assert config["acks"] == "all"


def test_kafka_producer_is_idempotent_with_acks_all() -> None:
    config = producer_config(kafka())
    assert config["enable_idempotence"] is True
    assert config["acks"] == "all"


def test_tansu_consumer_uses_short_waits_and_sessions() -> None:
    config = consumer_config(tansu(kafka_fetch_max_wait_ms=25), "grp")
    assert config["group_id"] == "grp"
    assert config["enable_auto_commit"] is False
    assert config["auto_offset_reset"] == "earliest"
    assert config["fetch_max_wait_ms"] == 25
    assert config["session_timeout_ms"] == 2000
    assert config["heartbeat_interval_ms"] < config["session_timeout_ms"]
    assert "isolation_level" not in config


def test_tansu_fetch_wait_defaults_small() -> None:
    assert consumer_config(tansu(), "grp")["fetch_max_wait_ms"] == 10


def test_a_background_consumer_waits_longer_on_tansu_but_never_shorter() -> None:
    assert consumer_config(tansu(), "grp", 100)["fetch_max_wait_ms"] == 100
    assert (
        consumer_config(tansu(kafka_fetch_max_wait_ms=250), "grp", 100)["fetch_max_wait_ms"] == 250
    )
    assert "fetch_max_wait_ms" not in consumer_config(kafka(), "grp", 100)


def test_kafka_consumer_reads_committed_with_broker_default_sessions() -> None:
    config = consumer_config(kafka(consumer_batch_size=123), "grp")
    assert config["isolation_level"] == "read_committed"
    assert config["enable_auto_commit"] is False
    assert config["max_poll_records"] == 123
    assert "session_timeout_ms" not in config
    assert "fetch_max_wait_ms" not in config


def test_sasl_settings_are_passed_through_with_the_secret_revealed() -> None:
    settings = kafka(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="svc-user",
        kafka_sasl_password="s3cret",
    )
    for config in (producer_config(settings), consumer_config(settings, "grp")):
        assert config["security_protocol"] == "SASL_SSL"
        assert config["sasl_mechanism"] == "SCRAM-SHA-512"
        assert config["sasl_plain_username"] == "svc-user"
        assert config["sasl_plain_password"] == "s3cret"


def test_sasl_password_is_hidden_in_settings_repr() -> None:
    assert "s3cret" not in repr(kafka(kafka_sasl_password="s3cret"))


def test_topic_name_applies_the_prefix() -> None:
    assert topic_name(S(kafka_topic_prefix="run42."), "warmlink.referral.v1") == (
        "run42.warmlink.referral.v1"
    )
    assert topic_name(S(), "warmlink.referral.v1") == "warmlink.referral.v1"


def test_consumer_groups_are_prefixed_like_the_topics() -> None:
    assert consumer_config(S(kafka_topic_prefix="t1."), "grp")["group_id"] == "t1.grp"
    assert consumer_config(S(), "grp")["group_id"] == "grp"


@pytest.mark.asyncio
async def test_new_consumer_subscribes_to_prefixed_topics() -> None:
    consumer = new_consumer(S(kafka_topic_prefix="t1."), "grp", ["a", "b"])
    try:
        assert consumer.subscription() == {"t1.a", "t1.b"}
    finally:
        await consumer.stop()


def test_tls_builds_one_ssl_context_from_the_ca_and_client_certificate(tmp_path: Path) -> None:
    from tests.support.tls import make_ca_and_server_cert

    ca, cert, key = make_ca_and_server_cert(tmp_path)
    settings = kafka(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=ca,
        kafka_ssl_certfile=cert,
        kafka_ssl_keyfile=key,
    )
    for config in (producer_config(settings), consumer_config(settings, "grp")):
        context = config["ssl_context"]
        assert isinstance(context, ssl.SSLContext)
        assert context.check_hostname is True
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert [c["subject"] for c in context.get_ca_certs()] == [
            ((("commonName", "warmlink test CA"),),)
        ]
    assert "ssl_context" not in producer_config(kafka())


def test_sasl_scram_over_tls_gets_the_ssl_context_too() -> None:
    settings = kafka(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username="u",
        kafka_sasl_password="p",
    )
    config = producer_config(settings)
    assert isinstance(config["ssl_context"], ssl.SSLContext)
    assert config["sasl_mechanism"] == "SCRAM-SHA-256"


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "KAFKA_SASL_MECHANISM is required"),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "SCRAM-SHA-512"},
            "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD",
        ),
        (
            {
                "kafka_security_protocol": "SASL_PLAINTEXT",
                "kafka_sasl_mechanism": "PLAIN",
                "kafka_sasl_username": "u",
                "kafka_sasl_password": "p",
            },
            "use SASL_SSL",
        ),
        ({"kafka_sasl_mechanism": "SCRAM-SHA-512"}, "needs a SASL_ protocol"),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "kafka_sasl_mechanism"),
        ({"kafka_ssl_certfile": "/etc/c.pem"}, "KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE"),
    ],
)
def test_incomplete_or_unsafe_kafka_security_is_refused_at_start(
    values: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        kafka(**values)
