"""Recompute the observed behaviour of practices the consumer marked, every few seconds.

The consumer marks a practice in the statement that records the event's fact
(`capacity_sql.MARK_PRACTICE`)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from datetime import UTC, datetime

import asyncpg
import orjson

from services.directory.adapters import capacity_sql as sql
from services.directory.domain.observed import observe
from services.directory.settings import DirectorySettings
from warmlink.db import DATABASE_ERRORS, Connection

log = logging.getLogger(__name__)

TAKE = """
DELETE FROM practice_observed_dirty
WHERE practice_id IN (SELECT practice_id FROM practice_observed_dirty
                      ORDER BY marked_at LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING practice_id"""
INTERVAL_S = 2.0


async def recompute(conn: Connection, settings: DirectorySettings, practice_id: str) -> None:
    now = datetime.now(UTC)
    facts = await sql.facts_of(conn, practice_id, now - settings.observed_window)
    observed = observe(facts, now, settings.observed_window)
    await conn.execute(
        sql.SAVE_OBSERVED, practice_id, orjson.dumps(dataclasses.asdict(observed)).decode(), now
    )


async def refresh_marked(pool: asyncpg.Pool, settings: DirectorySettings) -> int:
    """One pass: take marked practices and recompute them, in one transaction per batch."""
    async with pool.acquire() as conn, conn.transaction():
        taken = [r["practice_id"] for r in await conn.fetch(TAKE, 100)]
        for practice_id in taken:
            await recompute(conn, settings, practice_id)
    return len(taken)


async def keep_refreshing(pool: asyncpg.Pool, settings: DirectorySettings) -> None:
    while True:
        with contextlib.suppress(*DATABASE_ERRORS):
            while await refresh_marked(pool, settings) == 100:
                pass
        await asyncio.sleep(INTERVAL_S)
