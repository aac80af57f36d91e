"""On Kubernetes the topics are Strimzi's KafkaTopic resources and the services' Kafka users may
not create topics: with KAFKA_CREATE_TOPICS=false a service only checks that its topics exist,
against the real broker, and refuses to start naming the ones that do not."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contracts.topics import DEAD_LETTER, DIRECTORY, SCREENING, TOPICS, topic
from tests.integration.harness import settings_for
from tests.support.infra import Infrastructure
from warmlink.kafka import MissingTopicsError, ensure_topics, network_topics, topic_name

NO_DATABASE = "postgresql://unused@127.0.0.1:1/unused"  # these checks open no database


async def _on_broker(infra: Infrastructure, prefix: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:
        return {t for t in await admin.list_topics() if t.startswith(prefix)}
    finally:
        await admin.close()


async def test_a_service_that_may_not_create_topics_names_the_missing_ones_and_creates_none(
    infra: Infrastructure,
) -> None:
    creating = settings_for(infra, NO_DATABASE)
    verifying = creating.model_copy(update={"kafka_create_topics": False})
    wanted = (topic(SCREENING), topic(DIRECTORY))
    await ensure_topics(creating, wanted[:1], attempts=3)  # the owner made one of the two

    with pytest.raises(MissingTopicsError) as refused:
        await ensure_topics(verifying, wanted, attempts=1)

    assert topic_name(verifying, DIRECTORY) in str(refused.value)
    assert topic_name(verifying, SCREENING) not in str(refused.value)
    assert await _on_broker(infra, creating.kafka_topic_prefix) == {topic_name(creating, SCREENING)}


async def test_a_service_that_may_not_create_topics_starts_once_they_exist(
    infra: Infrastructure,
) -> None:
    creating = settings_for(infra, NO_DATABASE)
    verifying = creating.model_copy(update={"kafka_create_topics": False})
    await ensure_topics(creating, (topic(SCREENING),), attempts=3)

    await ensure_topics(verifying, (topic(SCREENING),), attempts=1)  # returns: nothing missing


def test_a_service_that_may_not_create_topics_checks_only_those_its_kafka_user_may_describe() -> (
    None
):
    """Its ACLs let it describe the topics it produces to or consumes and no others: checking
    another's would wait for a topic it can never see."""
    from services.screening.settings import ScreeningSettings

    creating = ScreeningSettings(database_url=NO_DATABASE)
    verifying = creating.model_copy(update={"kafka_create_topics": False})

    assert network_topics(creating) == TOPICS
    assert {t.name for t in network_topics(verifying)} == {SCREENING, DEAD_LETTER}
