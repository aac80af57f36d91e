"""The broker is never the system of record: after it comes back empty, the outbox refills it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.harness import (
    EFFECTS,
    effect_count,
    emit,
    relay_caught_up,
    running,
    screen,
    settings_for,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.broker_loss import SENTINEL_TOPIC, BrokerWatch
from warmlink.consumer import IdempotentConsumer, Subscription
from warmlink.kafka import ensure_topics, topic_name
from warmlink.outbox import mark_for_republish
from warmlink.service import Runtime


async def test_broker_restarted_empty_then_outbox_republish_completes_downstream_without_duplicates(
    infra: Infrastructure, database_url: str
) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker, which this test restarts")
    started = datetime.now(UTC) - timedelta(seconds=1)
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        await emit(rt, *[screen(f"before-{i}") for i in range(20)])
        await eventually(lambda: effect_count(rt), until=lambda n: n == 20, what="first effects")
        await relay_caught_up(rt)

        infra.broker.restart_empty()
        await ensure_topics(settings)
        async with rt.pool.acquire() as conn, conn.transaction():
            requeued = await mark_for_republish(conn, started)
        assert requeued == 20
        await emit(rt, *[screen(f"after-{i}") for i in range(20)])

        await eventually(
            lambda: effect_count(rt),
            until=lambda n: n >= 40,
            timeout=60,
            what="effects after the broker came back",
        )
        consumer = rt.consumers[0]
        await eventually(
            lambda: _duplicates(consumer),
            until=lambda n: n >= 20,
            timeout=30,
            what="republished events recognised as already processed",
        )
        assert await effect_count(rt) == 40
        assert await rt.pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 40


async def test_a_broker_restarted_empty_is_noticed_and_refilled_from_the_outbox_without_a_command(
    infra: Infrastructure, database_url: str
) -> None:
    """Events published, then lost with the broker before a consumer read them: the relay finds
    its sentinel gone and publishes every retained row again, so a consumer that starts
    afterwards gets them all, and one that had applied them sees only duplicates."""
    if infra.broker is None:
        pytest.skip("needs the embedded broker, which this test restarts")
    settings = settings_for(infra, database_url, broker_check_interval_s=0.2)
    async with running(settings) as rt:
        await emit(rt, *[screen(f"before-{i}") for i in range(20)])
        await eventually(lambda: effect_count(rt), until=lambda n: n == 20, what="first effects")
        await relay_caught_up(rt)
        early = rt.consumers[0]

        infra.broker.restart_empty()
        await emit(rt, *[screen(f"after-{i}") for i in range(5)])

        # A second group, which had read nothing before the loss, reads everything after it.
        late_reader = IdempotentConsumer(LATE, rt.background_pool, settings)
        late = asyncio.create_task(late_reader.run())
        try:
            await eventually(
                lambda: _late_effects(rt),
                until=lambda n: n == 25,
                timeout=60,
                what="every event, the lost ones included, reaching a new consumer group",
            )
            await eventually(
                lambda: _duplicates(early),
                until=lambda n: n >= 20,
                timeout=30,
                what="the re-published events recognised as applied by the first group",
            )
        finally:
            late_reader.stop()
            await late
        assert rt.relay.broker_watch.losses_detected >= 1
        # Both groups write the harness's effects: each event once per group.
        assert await effect_count(rt) == 50
        assert await rt.pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 25


LATE = Subscription("harness.late", EFFECTS.handlers)


async def _late_effects(rt: Runtime) -> int:
    return int(
        await rt.pool.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", LATE.consumer)
    )


async def _duplicates(consumer) -> int:  # type: ignore[no-untyped-def]
    return int(consumer.stats.duplicates)


async def test_a_refilled_log_with_another_record_at_the_sentinels_offset_counts_as_lost(
    infra: Infrastructure, database_url: str
) -> None:
    """Other services refill shared topics quickly after a loss: a log that is already longer
    than the saved offset again is told apart by the token of the record found there."""
    if infra.broker is None:
        pytest.skip("needs the embedded broker, which this test restarts")
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt:
        await emit(rt, screen("a"), screen("b"))
        await rt.pool.execute("UPDATE outbox SET published_at = now()")  # as if published
        rewinds: list[int] = []
        watch = BrokerWatch(rt.background_pool, rt.producer, settings)
        watch.on_loss = lambda: rewinds.append(watch.losses_detected)  # the consumers' rewind
        assert await watch.check() is False  # places the sentinel
        assert await watch.check() is False  # and finds it there
        saved = await rt.pool.fetchval("SELECT record_offset FROM broker_sentinel")

        infra.broker.restart_empty()
        sentinels = topic_name(settings, SENTINEL_TOPIC.name)
        for _ in range(saved + 2):  # someone else's sentinels, past our offset
            await rt.producer.send_and_wait(sentinels, uuid.uuid4().bytes, key=b"another")

        # A check just after the restart may find the broker not answering yet: no proof.
        await eventually(watch.check, what="the loss recognised")
        assert (watch.losses_detected, watch.republished) == (1, 2)
        assert rewinds == [1], "the consumers are told to read the new log from its start, once"
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        assert await rt.pool.fetchval(unpublished) == 2
        assert await watch.check() is False, "the new sentinel is found"
        assert rewinds == [1]
