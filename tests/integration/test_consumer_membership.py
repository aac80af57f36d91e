"""A consumer commits offsets only as the group member that fetched the records behind them."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.topics import SCREENING
from tests.integration.harness import settings_for
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.kafka import (
    commit_as_member,
    ensure_topics,
    group_membership,
    new_consumer,
    topic_name,
)


async def _membership(consumer: AIOKafkaConsumer) -> tuple[int, str] | None:
    return group_membership(consumer)


async def _assigned(consumer: AIOKafkaConsumer) -> int:
    await consumer.getmany(timeout_ms=50)  # drives the join
    return len(consumer.assignment())


async def test_a_member_the_wiped_broker_forgot_commits_nothing_while_it_rejoins(
    infra: Infrastructure, database_url: str
) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker, which this test restarts")
    settings = settings_for(infra, database_url)
    await ensure_topics(settings)
    partition = TopicPartition(topic_name(settings, SCREENING), 0)
    consumer = new_consumer(settings, "membership", [SCREENING])
    await consumer.start()
    try:
        await eventually(lambda: _assigned(consumer), until=lambda n: n > 0, what="assignment")
        member = group_membership(consumer)
        assert member is not None
        assert await commit_as_member(consumer, {partition: 0}, member)
        assert await consumer.committed(partition) == 0

        # Not in a thread: the broker would die with the thread that spawned it.
        infra.broker.restart_empty()
        await ensure_topics(settings)
        await eventually(lambda: _membership(consumer), until=lambda m: m is None, what="lost")

        # Offsets this member would commit for records it read at its old positions. Sent now,
        # aiokafka would use generation -1, which Tansu takes while the group has no members.
        assert not await commit_as_member(consumer, {partition: 5}, member)
        assert await consumer.committed(partition) is None

        # Rejoined as a new member: still not the member that read them.
        await eventually(lambda: _assigned(consumer), until=lambda n: n > 0, what="rejoined")
        rejoined = await eventually(lambda: _membership(consumer), what="new membership")
        assert rejoined != member
        assert not await commit_as_member(consumer, {partition: 5}, member)
        assert await commit_as_member(consumer, {partition: 5}, rejoined)
        assert await consumer.committed(partition) == 5
    finally:
        await consumer.stop()
