"""Tells the network when capacity goes stale: nobody confirmed it within the allowed age.

A confirmation publishes CapacityUpdated at once; ageing is not an event anyone makes, so this
sweep publishes one (``stale=True``) per record when it crosses the age, in the same transaction
that marks it announced. Consumers (matching elsewhere, the follow-up dashboard) then show it
as stale without each computing ages of their own.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import asyncpg

from services.directory.adapters.listings import capacity_from
from services.directory.handlers import publish_capacity
from services.directory.settings import DirectorySettings
from warmlink.db import DATABASE_ERRORS

log = logging.getLogger(__name__)

NEWLY_STALE = """
SELECT c.*, s.organization_id FROM capacities c JOIN services s ON s.id = c.service_id
WHERE c.stale_announced_at IS NULL AND c.verified_at < $1
ORDER BY c.verified_at LIMIT $2
FOR UPDATE OF c SKIP LOCKED"""
BATCH = 100  # short transactions: a practice confirming capacity never waits long on a lock
MARK_ANNOUNCED = "UPDATE capacities SET stale_announced_at = $2 WHERE service_id = $1"


async def announce_stale(pool: asyncpg.Pool, settings: DirectorySettings) -> int:
    """Publish CapacityUpdated(stale) for records that aged past the limit; returns how many."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(NEWLY_STALE, now - settings.capacity_max_age, BATCH)
        for r in rows:
            await publish_capacity(
                conn, settings, r["organization_id"], r["service_id"], capacity_from(r)
            )
            await conn.execute(MARK_ANNOUNCED, r["service_id"], now)
    return len(rows)


async def keep_announcing(pool: asyncpg.Pool, settings: DirectorySettings) -> None:
    while True:
        try:
            count = batch = await announce_stale(pool, settings)
            while batch == BATCH:  # a backlog: keep going, a batch at a time
                await asyncio.sleep(0.1)
                batch = await announce_stale(pool, settings)
                count += batch
            if count:
                log.info("stale capacity announced", extra={"count": count})
        except DATABASE_ERRORS as exc:
            log.warning("stale sweep waiting for the database", extra={"error": str(exc)})
        await asyncio.sleep(settings.stale_sweep_interval_s)
