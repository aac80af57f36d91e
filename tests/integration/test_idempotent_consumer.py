"""The consumer applies each event once, survives restarts, and dead-letters what it cannot use."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts import Envelope, encode, wrap
from contracts.topics import DEAD_LETTER, SCREENING
from tests.integration.harness import (
    EFFECTS,
    HARNESS_MIGRATIONS,
    POISON,
    effect_count,
    emit,
    record_effect,
    running,
    screen,
    settings_for,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.consumer import IdempotentConsumer, Subscription
from warmlink.kafka import consumer_config, new_producer, topic_name
from warmlink.service import ServiceSpec, start_runtime


async def _produce_raw(settings, *values: bytes, key: bytes = b"k") -> None:  # type: ignore[no-untyped-def]
    producer: AIOKafkaProducer = new_producer(settings)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic_name(settings, SCREENING), value, key=key)
    finally:
        await producer.stop()


async def test_the_same_event_delivered_twice_has_one_effect(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        envelope = wrap(screen("twice"), producer="test")
        await _produce_raw(settings, encode(envelope), encode(envelope))
        await emit(rt, screen("after"))
        await eventually(lambda: effect_count(rt), until=lambda n: n >= 2, what="effects")
        consumer = rt.consumers[0]
        await eventually(
            lambda: _stat(consumer, "duplicates"), until=lambda n: n == 1, what="duplicate seen"
        )
        assert await effect_count(rt) == 2


async def _stat(consumer: IdempotentConsumer, name: str) -> int:
    return int(getattr(consumer.stats, name))


async def test_undecodable_and_always_failing_records_are_dead_lettered_and_the_rest_processed(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        poison = wrap(screen(POISON), producer="test")
        good = wrap(screen("good"), producer="test")
        # The pill before the undecodable record: both on one key, and a key's later events are
        # held back behind its dead letter (test_held_back.py), undecodable records aside.
        await _produce_raw(settings, encode(poison), b"{not json")
        await _produce_raw(settings, encode(good), key=b"another")
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="good record")
        rows = await eventually(
            lambda: rt.pool.fetch(
                "SELECT reason, attempts, event_id FROM dead_letters ORDER BY id"
            ),
            until=lambda rows: len(rows) == 2,
            what="two dead letters",
        )
        assert [r["reason"] for r in rows] == ["handler_failed", "undecodable"]
        assert rows[0]["attempts"] == settings.consumer_max_attempts
        assert rows[0]["event_id"] == poison.event_id
        letters = await _read_dead_letters(settings, 2)
    assert letters[0][1]["dlq_reason"] == "handler_failed"
    assert "RuntimeError" in letters[0][1]["dlq_error"]
    assert letters[0][1]["dlq_source_topic"] == topic_name(settings, SCREENING)
    assert letters[1][0] == b"{not json"
    assert letters[1][1]["dlq_reason"] == "undecodable"


async def _read_dead_letters(settings, n: int) -> list[tuple[bytes, dict[str, str]]]:  # type: ignore[no-untyped-def]
    consumer = AIOKafkaConsumer(
        topic_name(settings, DEAD_LETTER), **consumer_config(settings, "dlq-reader")
    )
    await consumer.start()
    out: list[tuple[bytes, dict[str, str]]] = []
    try:

        async def poll() -> int:
            for records in (await consumer.getmany(timeout_ms=100)).values():
                out.extend((r.value, {k: v.decode() for k, v in r.headers}) for r in records)
            return len(out)

        await eventually(poll, until=lambda k: k >= n, what="dead letters on the topic")
    finally:
        await consumer.stop()
    return sorted(out, key=lambda item: int(item[1]["dlq_source_offset"]))


async def test_a_consumer_restarted_mid_batch_loses_nothing_and_repeats_nothing(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, consumer_batch_size=50)
    async with running(settings, consume=False) as rt:
        await emit(rt, *[screen(f"p{i}") for i in range(200)])
        # First life: process one batch, commit the database, then "crash" before the offsets.
        crashing = IdempotentConsumer(EFFECTS, rt.pool, settings)
        kafka = AIOKafkaConsumer(
            *[topic_name(settings, t) for t in EFFECTS.topics],
            **consumer_config(settings, EFFECTS.consumer),
        )
        await kafka.start()
        try:
            batch = await eventually(
                lambda: kafka.getmany(timeout_ms=200, max_records=50), what="a first batch"
            )
            await crashing.process([r for part in batch.values() for r in part])
        finally:
            await kafka.stop()  # no commit: the batch will be delivered again
        first_life = await effect_count(rt)
        assert 0 < first_life < 200
        # Second life: a normal consumer in the same group.
        survivor = IdempotentConsumer(EFFECTS, rt.pool, settings)
        import asyncio

        task = asyncio.create_task(survivor.run())
        try:
            await eventually(lambda: effect_count(rt), until=lambda n: n >= 200, what="all effects")
            await eventually(
                lambda: _stat(survivor, "duplicates"),
                until=lambda n: n >= first_life,
                what="redelivered batch skipped",
            )
        finally:
            survivor.stop()
            await task
        assert await effect_count(rt) == 200
        distinct = await rt.pool.fetchval("SELECT count(DISTINCT event_id) FROM effects")
        assert distinct == 200


@pytest.mark.parametrize(
    "restart",
    [
        # in-flight queries are ended by AdminShutdown
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        # a pooled connection the server ended while idle fails its next use (asyncpg #1069)
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
    ],
    ids=["in-flight", "idle"],
)
async def test_a_database_restart_met_by_a_handler_is_waited_out_not_dead_lettered(
    infra: Infrastructure, database_url: str, restart: Exception
) -> None:
    """More failures than the handler's attempts allow, none of them the event's fault."""
    settings = settings_for(infra, database_url)
    assert settings.consumer_max_attempts < 5
    shutdowns = 5

    async def restarting(conn: asyncpg.Connection, envelope: Envelope, event: Any) -> None:
        nonlocal shutdowns
        if shutdowns:
            shutdowns -= 1
            raise restart
        await record_effect(conn, envelope, event)

    spec = ServiceSpec(
        settings=settings,
        migrations=HARNESS_MIGRATIONS,
        subscriptions=[Subscription("harness.restarting", {"ScreenPositive": restarting})],
    )
    rt = await start_runtime(spec)
    try:
        await _produce_raw(settings, encode(wrap(screen("through-a-restart"), producer="test")))
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="the effect")
        assert shutdowns == 0
        assert await rt.pool.fetchval("SELECT count(*) FROM dead_letters") == 0
    finally:
        await rt.stop()
