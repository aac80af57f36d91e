"""Stored idempotency responses and dead-letter values are purged once past their retention:
replays work within it; a key past it is refused (409), never run twice; a purged dead letter
keeps its row (what failed, where, why) without the event it carried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from tests.integration.harness import running, settings_for
from tests.support.infra import Infrastructure
from tests.support.migrated import migrated_pool
from tests.support.waiting import eventually
from warmlink.deadletter import HANDLER_FAILED, DeadLetter, record_dead_letter
from warmlink.idempotency import run_once
from warmlink.problems import Conflict
from warmlink.retention import purge_expired

# Backdates a row past a retention: the purge compares with the database's clock, so the test
# moves the rows, not the clock.
AGE_KEY = "UPDATE idempotency_keys SET created_at = created_at - $2::interval WHERE key = $1"
AGE_LETTER = (
    "UPDATE dead_letters SET created_at = created_at - $2::interval WHERE source_offset = $1"
)
PAST_RESPONSES, PAST_LETTERS = timedelta(hours=25), timedelta(days=31)  # defaults: 24 h, 30 d


async def replay(conn: asyncpg.Connection, key: str, runs: list[str]) -> tuple[int, Any, bool]:
    async def run() -> tuple[int, Any]:
        runs.append(key)
        return 201, {"answers": [3, 0, 1], "key": key}  # a response can carry patient data

    return await run_once(conn, organization_id="site-x", key=key, fingerprint="f", run=run)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A service's database (the runtime's tables are in every one)."""
    migrated = await migrated_pool(database_url, "screening")
    yield migrated
    await migrated.close()


def letter(offset: int, value: bytes) -> DeadLetter:
    return DeadLetter("c", "warmlink.screening.v1", 0, offset, b"k", value, HANDLER_FAILED, "E", 3)


async def test_responses_replay_within_retention_and_past_it_are_purged_and_refused(
    infra: Infrastructure, database_url: str, pool: asyncpg.Pool
) -> None:
    settings = settings_for(infra, database_url)
    runs: list[str] = []
    async with pool.acquire() as conn:
        assert await replay(conn, "old", runs) == (201, {"answers": [3, 0, 1], "key": "old"}, False)
        await replay(conn, "recent", runs)
        await conn.execute(AGE_KEY, "old", PAST_RESPONSES)

        assert (await purge_expired(conn, settings))["idempotency_responses"] == 1

        assert (await replay(conn, "recent", runs))[2] is True  # within retention: replayed
        with pytest.raises(Conflict, match="no longer kept"):
            await replay(conn, "old", runs)
        assert runs == ["old", "recent"]  # neither ran a second time
        kept = await conn.fetchrow("SELECT * FROM idempotency_keys WHERE key = 'old'")
        assert kept["response"] is None and kept["response_purged_at"] is not None
        assert (await purge_expired(conn, settings))["idempotency_responses"] == 0


async def test_dead_letter_values_past_retention_are_purged_and_their_rows_kept(
    infra: Infrastructure, database_url: str, pool: asyncpg.Pool
) -> None:
    settings = settings_for(infra, database_url)
    async with pool.acquire() as conn, conn.transaction():
        # The same offset twice (a broker restarted empty reuses offsets): after both are purged
        # their values no longer tell them apart, and the purge must still succeed.
        assert await record_dead_letter(conn, letter(7, b'{"patient_ref": "pt-1"}'))
        assert await record_dead_letter(conn, letter(7, b'{"patient_ref": "pt-2"}'))
        assert await record_dead_letter(conn, letter(8, b'{"patient_ref": "pt-3"}'))
        await conn.execute(AGE_LETTER, 7, PAST_LETTERS)

    async with pool.acquire() as conn:
        assert (await purge_expired(conn, settings))["dead_letter_values"] == 2
        rows = await conn.fetch("SELECT * FROM dead_letters ORDER BY id")
    assert [(r["source_offset"], r["key"], r["value"]) for r in rows] == [
        (7, None, None),
        (7, None, None),
        (8, b"k", b'{"patient_ref": "pt-3"}'),
    ]
    assert all(r["reason"] == HANDLER_FAILED and r["consumer"] == "c" for r in rows)


async def test_every_service_sweeps_in_the_background(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(
        infra, database_url, retention_sweep_interval_s=0.05, relay_enabled=False
    )
    async with running(settings, consume=False) as rt, rt.pool.acquire() as conn:
        await replay(conn, "old", [])
        await conn.execute(AGE_KEY, "old", PAST_RESPONSES)
        await eventually(
            lambda: conn.fetchval("SELECT response FROM idempotency_keys WHERE key = 'old'"),
            until=lambda response: response is None,
            what="the background sweep to purge the expired response",
        )
