"""The outbox publishes exactly what committed, in order, and can publish it again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer

from contracts import decode, new_event_id
from contracts.topics import SCREENING
from tests.integration.harness import emit, relay_caught_up, running, screen, settings_for
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.kafka import consumer_config, new_producer, topic_name
from warmlink.outbox import NotInTransaction, mark_for_republish, publish_later
from warmlink.relay import LEADER_LOCK, OutboxRelay


async def _read_all(settings, expected: int) -> list[bytes]:  # type: ignore[no-untyped-def]
    consumer = AIOKafkaConsumer(
        topic_name(settings, SCREENING),
        **consumer_config(settings, "reader-" + settings.kafka_topic_prefix),
    )
    await consumer.start()
    seen: list[bytes] = []
    try:

        async def poll() -> int:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                seen.extend(r.value for r in records)
            return len(seen)

        await eventually(poll, until=lambda n: n >= expected, what=f"{expected} records")
    finally:
        await consumer.stop()
    return seen


async def test_events_are_written_only_inside_the_state_change_transaction(
    infra: Infrastructure, database_url: str
) -> None:
    async with running(settings_for(infra, database_url, relay_enabled=False), consume=False) as rt:
        async with rt.pool.acquire() as conn:
            with pytest.raises(NotInTransaction):
                await publish_later(conn, screen(), producer="harness")


async def test_a_rolled_back_change_publishes_nothing_and_a_committed_one_is_published(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with running(settings, consume=False) as rt:
        with pytest.raises(RuntimeError):
            async with rt.pool.acquire() as conn, conn.transaction():
                await publish_later(conn, screen("rolled-back"), producer="harness")
                raise RuntimeError("the state change failed")
        committed = await emit(rt, screen("committed"))
        records = await _read_all(settings, 1)
        assert [decode(r).event_id for r in records] == [committed[0].event_id]
        await relay_caught_up(rt, "the committed event marked published")


async def test_a_relay_outlasts_an_idle_connection_the_server_ended(
    infra: Infrastructure, database_url: str
) -> None:
    """What asyncpg raises on first use of a pooled connection the server ended while it sat
    idle (a restart, a failover): the relay waits and publishes, it does not stop for good."""
    settings = settings_for(infra, database_url, outbox_poll_interval_s=0.1)
    async with running(settings, consume=False) as rt:
        publish_batch = rt.relay.publish_batch
        failures = 0

        async def first_use_of_an_ended_connection() -> int:
            nonlocal failures
            if failures == 0:
                failures += 1
                raise asyncpg.InternalClientError(
                    "cannot switch to state 12; another operation (2) is in progress"
                )
            return await publish_batch()

        rt.relay.publish_batch = first_use_of_an_ended_connection  # type: ignore[method-assign]
        sent = await emit(rt, screen("after-the-restart"))
        records = await _read_all(settings, 1)
        assert failures == 1, "the fault was met"
        assert [decode(r).event_id for r in records] == [sent[0].event_id]
        assert not any(t.done() for t in rt.tasks), "every runtime task still runs"


async def test_relay_publishes_in_commit_order_per_key(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with running(settings, consume=False) as rt:
        keys = [new_event_id() for _ in range(3)]
        sent = []
        for round_ in range(30):
            sent += await emit(rt, *[screen(f"r{round_}", key) for key in keys])
        records = await _read_all(settings, len(sent))
    received = [decode(r) for r in records]
    assert sorted(e.event_id for e in received) == sorted(e.event_id for e in sent)
    for key in keys:
        in_order_sent = [e.event_id for e in sent if e.subject == str(key)]
        in_order_received = [e.event_id for e in received if e.subject == str(key)]
        assert in_order_received == in_order_sent


async def test_marked_range_is_published_again(infra: Infrastructure, database_url: str) -> None:
    settings = settings_for(infra, database_url)
    async with running(settings, consume=False) as rt:
        first = await emit(rt, screen("a"), screen("b"))
        await _read_all(settings, 2)
        await relay_caught_up(rt)
        async with rt.pool.acquire() as conn, conn.transaction():
            count = await mark_for_republish(conn, datetime.now(UTC) - timedelta(minutes=5))
        assert count == 2
        records = await _read_all(settings, 4)
    ids = [decode(r).event_id for r in records]
    assert sorted(ids) == sorted([e.event_id for e in first] * 2)


async def test_a_relay_whose_session_ends_stops_leading_and_one_relay_leads_again(
    infra: Infrastructure, database_url: str
) -> None:
    """Two relays publishing at once could reorder one referral's events: the leader's lock is
    its session's, so a relay whose session ends must stop publishing, not carry on unlocked."""
    settings = settings_for(infra, database_url)
    async with running(settings, consume=False) as rt:
        producer = new_producer(settings)
        await producer.start()
        other = OutboxRelay(rt.pool, producer, settings)
        standing = asyncio.create_task(other.run())
        try:
            await eventually(lambda: _leaders(rt.relay, other), until=lambda n: n == 1, what="1")
            ended = await rt.pool.fetchval(
                f"SELECT count(pg_terminate_backend(pid)) FROM pg_locks {HELD_LEADER_LOCK}",
                LEADER_LOCK,
            )
            assert ended == 1
            await eventually(
                lambda: rt.pool.fetchval(
                    f"SELECT count(*) FROM pg_locks {HELD_LEADER_LOCK}", LEADER_LOCK
                ),
                until=lambda n: n == 1,
                what="the lock held again",
            )
            await eventually(
                lambda: _leaders(rt.relay, other), until=lambda n: n == 1, what="one leader"
            )
            await emit(rt, screen("after-the-election"))
            await relay_caught_up(rt, "published by the new leader")
        finally:
            other.stop()
            await standing
            await producer.stop()


HELD_LEADER_LOCK = "WHERE locktype = 'advisory' AND objid = $1 AND granted"


async def _leaders(*relays: OutboxRelay) -> int:
    return sum(r.is_leader for r in relays)
