"""After an event of a key is dead-lettered, the key's later events wait for a person's decision.

Event 1 of key K fails (a handler bug), event 2 of K is valid: event 2 must not be applied
before event 1, while key L goes on. A person resolves the letter (replay once the fix is out,
or discard); then the held events are applied, in the order they came, and K flows again.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from contracts import Envelope, encode, wrap
from contracts.topics import SCREENING
from tests.integration.harness import running, screen, settings_for
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.consumer import Subscription
from warmlink.held_back import DISCARD, REPLAY, request_resolution
from warmlink.kafka import new_producer, topic_name
from warmlink.service import Runtime

BUGGY = "hits-the-handler-bug"
APPLIED = "CREATE TABLE applied (seq bigserial PRIMARY KEY, event_id uuid NOT NULL)"


async def _produce(settings: Any, *events: tuple[bytes, Envelope]) -> None:
    producer = new_producer(settings)
    await producer.start()
    try:
        for key, envelope in events:
            await producer.send_and_wait(topic_name(settings, SCREENING), encode(envelope), key=key)
    finally:
        await producer.stop()


async def _applied(rt: Runtime) -> list[uuid.UUID]:
    return [r["event_id"] for r in await rt.pool.fetch("SELECT event_id FROM applied ORDER BY seq")]


async def _count(rt: Runtime, table: str) -> int:
    return int(await rt.pool.fetchval(f"SELECT count(*) FROM {table}"))


@pytest.mark.parametrize("resolution", [REPLAY, DISCARD])
async def test_a_keys_later_events_are_held_back_until_its_dead_letter_is_resolved(
    infra: Infrastructure, database_url: str, resolution: str
) -> None:
    settings = settings_for(infra, database_url, consumer_resolution_poll_s=0.05)
    fixed = False

    async def apply(conn: asyncpg.Connection, envelope: Envelope, event: Any) -> None:
        if event.patient_ref == BUGGY and not fixed:
            raise RuntimeError("a handler bug, fixed in the next release")
        await conn.execute("INSERT INTO applied (event_id) VALUES ($1)", envelope.event_id)

    ordered = Subscription("harness.ordered", {"ScreenPositive": apply})
    async with running(settings, subscriptions=[ordered]) as rt:
        await rt.pool.execute(APPLIED)
        k, other = b"referral-k", b"referral-l"
        first, second, elsewhere, later = (
            wrap(screen(BUGGY), producer="test"),
            wrap(screen("valid"), producer="test"),
            wrap(screen("other-key"), producer="test"),
            wrap(screen("after-the-decision"), producer="test"),
        )
        await _produce(settings, (k, first), (k, second), (other, elsewhere))

        await eventually(lambda: _count(rt, "held_back"), until=lambda n: n == 1, what="held")
        await eventually(lambda: _applied(rt), until=lambda a: a == [elsewhere.event_id])
        letter = await rt.pool.fetchrow("SELECT id, event_id FROM dead_letters")
        assert letter["event_id"] == first.event_id
        assert second.event_id not in await _applied(rt), "applied before the event it follows"

        fixed = True
        async with rt.pool.acquire() as conn:
            assert await request_resolution(conn, letter["id"], resolution) == "harness.ordered"
        await eventually(lambda: _count(rt, "held_back"), until=lambda n: n == 0, what="released")
        await _produce(settings, (k, later))

        expected = [first.event_id] if resolution == REPLAY else []
        expected += [second.event_id, later.event_id]
        await eventually(
            lambda: _applied(rt),
            until=lambda a: a == [elsewhere.event_id, *expected],
            what="key K's events applied in order after the resolution",
        )
        assert await rt.pool.fetchval(
            "SELECT resolved_at IS NOT NULL FROM dead_letters WHERE id = $1", letter["id"]
        )
        outcomes = await rt.pool.fetch(
            "SELECT event_id, outcome FROM inbox WHERE event_id = ANY($1::uuid[])",
            [first.event_id, second.event_id],
        )
        first_outcome = "processed" if resolution == REPLAY else "dead_lettered"
        assert {r["event_id"]: r["outcome"] for r in outcomes} == {
            first.event_id: first_outcome,
            second.event_id: "processed",
        }


async def test_a_held_event_that_fails_when_released_is_dead_lettered_and_holds_the_rest(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, consumer_resolution_poll_s=0.05)
    broken = {BUGGY, "broken-too"}

    async def apply(conn: asyncpg.Connection, envelope: Envelope, event: Any) -> None:
        if event.patient_ref in broken:
            raise RuntimeError("a handler bug")
        await conn.execute("INSERT INTO applied (event_id) VALUES ($1)", envelope.event_id)

    ordered = Subscription("harness.ordered", {"ScreenPositive": apply})
    async with running(settings, subscriptions=[ordered]) as rt:
        await rt.pool.execute(APPLIED)
        k = b"referral-k"
        first, second, third = (
            wrap(screen(ref), producer="test") for ref in (BUGGY, "broken-too", "valid")
        )
        await _produce(settings, (k, first), (k, second), (k, third))
        await eventually(lambda: _count(rt, "held_back"), until=lambda n: n == 2, what="held")

        broken.discard(BUGGY)  # the first bug is fixed, the second one not yet
        letter = await rt.pool.fetchval("SELECT id FROM dead_letters")
        async with rt.pool.acquire() as conn:
            await request_resolution(conn, letter, REPLAY)
        open_letter = await eventually(
            lambda: rt.pool.fetchrow(
                "SELECT id, event_id, attempts FROM dead_letters WHERE resolved_at IS NULL"
            ),
            until=lambda row: row is not None and row["id"] != letter,
            what="the second event dead-lettered when released",
        )
        assert open_letter["event_id"] == second.event_id
        assert await _applied(rt) == [first.event_id]
        assert await _count(rt, "held_back") == 1, "the third still waits behind the second"

        async with rt.pool.acquire() as conn:
            await request_resolution(conn, open_letter["id"], DISCARD)
        await eventually(
            lambda: _applied(rt),
            until=lambda a: a == [first.event_id, third.event_id],
            what="the third applied once the second was discarded",
        )
        assert await _count(rt, "held_back") == 0
