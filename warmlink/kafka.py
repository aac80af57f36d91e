"""Kafka client construction, tuned per broker profile, and topic creation.

Tansu (development, tests) holds every fetch for the full fetch_max_wait_ms and joins a group after
session_timeout/2, so both are kept short; it has no idempotent producer. Apache Kafka (production)
gets the idempotent producer with acks=all and its usual session timings.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from contracts.topics import TOPICS, Topic, used_by
from warmlink.settings import KafkaProfile, ServiceSettings

log = logging.getLogger(__name__)


def _common(settings: ServiceSettings) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"warmlink-{settings.service_name}",
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        config["ssl_context"] = ssl_context(settings)
    if settings.kafka_sasl_mechanism:
        config["sasl_mechanism"] = settings.kafka_sasl_mechanism
        config["sasl_plain_username"] = settings.kafka_sasl_username
        password = settings.kafka_sasl_password
        config["sasl_plain_password"] = password.get_secret_value() if password else None
    return config


def ssl_context(settings: ServiceSettings) -> ssl.SSLContext:
    """The TLS context every client of the service uses: the brokers' CA (the system's when
    KAFKA_SSL_CAFILE is unset), a client certificate when one is configured, hostname checked."""
    context: ssl.SSLContext = create_ssl_context(
        cafile=settings.kafka_ssl_cafile,
        certfile=settings.kafka_ssl_certfile,
        keyfile=settings.kafka_ssl_keyfile,
    )
    context.check_hostname = settings.kafka_ssl_check_hostname
    return context


def topic_name(settings: ServiceSettings, name: str) -> str:
    return settings.kafka_topic_prefix + name


def producer_config(settings: ServiceSettings) -> dict[str, Any]:
    config = _common(settings) | {"acks": "all", "linger_ms": 1, "max_batch_size": 256 * 1024}
    config["enable_idempotence"] = settings.kafka_profile is KafkaProfile.KAFKA
    return config


def consumer_config(
    settings: ServiceSettings, group_id: str, fetch_max_wait_ms: int | None = None
) -> dict[str, Any]:
    """`fetch_max_wait_ms`: this consumer's own wait on Tansu, when longer than the service's."""
    config = _common(settings) | {
        # Prefixed like the topics: two environments sharing a cluster (or two test networks
        # one after another) must not share a group, or one waits for the other's departed
        # members to time out before it gets its partitions.
        "group_id": settings.kafka_topic_prefix + group_id,
        "enable_auto_commit": False,  # offsets are committed only after the database commit
        "auto_offset_reset": "earliest",
        "max_poll_records": settings.consumer_batch_size,
    }
    if settings.kafka_profile is KafkaProfile.TANSU:
        config |= {
            "fetch_max_wait_ms": max(fetch_max_wait_ms or 0, settings.kafka_fetch_max_wait_ms),
            "session_timeout_ms": 2000,
            "heartbeat_interval_ms": 500,
            "rebalance_timeout_ms": 2000,
        }
    else:
        config |= {"isolation_level": "read_committed"}
    return config


def group_membership(consumer: AIOKafkaConsumer) -> tuple[int, str] | None:
    """(generation, member id) while the consumer belongs to its group; None once the coordinator
    has forgotten it (heartbeat refused) and until it has rejoined.

    aiokafka has no public accessor, so its coordinator's two attributes are read here and only
    here; tests/integration/test_consumer_membership.py checks them against a running broker.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None:
        return None
    generation, member_id = coordinator.generation, coordinator.member_id
    if generation < 0 or not member_id:
        return None
    return int(generation), str(member_id)


async def commit_as_member(
    consumer: AIOKafkaConsumer,
    offsets: dict[TopicPartition, int],
    fetched_under: tuple[int, str] | None,
) -> bool:
    """Commit `offsets` only if the consumer is still the group member that fetched them.

    A consumer whose broker came back empty keeps the positions it had until its group has
    rejoined, and reads whatever the new log holds at those offsets. Committed then, aiokafka
    sends generation -1, which a broker accepts for a group with no members (seen on Tansu):
    the group's offsets would start past records nobody read, and those events would never be
    handled. Not committing is safe: positions after a rejoin come from the committed offsets,
    and the inbox turns what is read again into no-ops. The check and the request are one step
    of this task, so only a heartbeat answered in between can slip past it.
    """
    if fetched_under is None or group_membership(consumer) != fetched_under:
        return False
    await consumer.commit(offsets)
    return True


def new_reader(settings: ServiceSettings) -> AIOKafkaConsumer:
    """A consumer outside any group, for reading chosen offsets (no commits, no reset)."""
    return AIOKafkaConsumer(
        **_common(settings),
        enable_auto_commit=False,
        auto_offset_reset="none",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
    )


def new_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(**producer_config(settings))


def new_consumer(
    settings: ServiceSettings,
    group_id: str,
    topics: Iterable[str],
    fetch_max_wait_ms: int | None = None,
) -> AIOKafkaConsumer:
    names = [topic_name(settings, t) for t in topics]
    return AIOKafkaConsumer(*names, **consumer_config(settings, group_id, fetch_max_wait_ms))


def network_topics(settings: ServiceSettings) -> tuple[Topic, ...]:
    """The topics a service makes sure of at start: the whole network's when it creates them
    (development and tests need them all), else only its own, the ones its Kafka user may
    describe (the others would look missing to it)."""
    return TOPICS if settings.kafka_create_topics else used_by(settings.service_name)


class MissingTopicsError(RuntimeError):
    """Topics the service needs are not on the broker and it may not create them."""


async def ensure_topics(
    settings: ServiceSettings, topics: Iterable[Topic] = TOPICS, attempts: int = 30
) -> None:
    """Create the network's topics if missing (a memory broker comes back empty after restart).

    With `kafka_create_topics` off the topics are someone else's (Strimzi's KafkaTopic resources):
    wait for them as for a broker that is not ready yet, then raise MissingTopicsError naming
    the ones still missing, rather than start consumers and a relay that would fail later."""
    wanted = list(topics)
    for attempt in range(1, attempts + 1):
        admin = AIOKafkaAdminClient(**_common(settings))
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in wanted if topic_name(settings, t.name) not in existing]
            if not missing:
                return
            if settings.kafka_create_topics:
                await _create(admin, settings, missing)
                return
            if attempt == attempts:
                names = ", ".join(topic_name(settings, t.name) for t in missing)
                raise MissingTopicsError(
                    f"topics missing on the broker: {names}; KAFKA_CREATE_TOPICS is false, so "
                    "they must be created by their owner (the KafkaTopic resources)"
                )
            log.warning("waiting for %d topics to be created", len(missing))
        except KafkaError as exc:
            if attempt == attempts:
                raise
            log.warning("broker not ready (%s), retrying", type(exc).__name__)
        finally:
            await admin.close()
        await asyncio.sleep(min(0.2 * attempt, 2.0))


async def _create(
    admin: AIOKafkaAdminClient, settings: ServiceSettings, topics: list[Topic]
) -> None:
    try:
        await admin.create_topics(
            [
                NewTopic(
                    name=topic_name(settings, t.name),
                    num_partitions=t.partitions,
                    replication_factor=settings.kafka_replication_factor,
                    topic_configs={"retention.ms": str(t.retention_ms)},
                )
                for t in topics
            ]
        )
    except TopicAlreadyExistsError:
        pass  # another service created it between our list and create
