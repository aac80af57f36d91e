"""Retention of what is kept only to be replayed: stored idempotency responses and dead-letter
values, purged in the background once older than their settings say (docs/design.md says why
purged rather than sealed). Batches of their own short transactions, so a large backlog never
holds locks long; every worker of every service runs it (the updates are idempotent)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from warmlink.db import Connection, outlast_outages
from warmlink.settings import ServiceSettings

log = logging.getLogger(__name__)

PURGE_RESPONSES = """
UPDATE idempotency_keys SET response = NULL, response_purged_at = now()
WHERE (organization_id, key) IN (
    SELECT organization_id, key FROM idempotency_keys
    WHERE response IS NOT NULL AND created_at < now() - make_interval(secs => $1)
    LIMIT $2 FOR UPDATE SKIP LOCKED)"""
PURGE_DEAD_LETTERS = """
UPDATE dead_letters SET key = NULL, value = NULL, value_purged_at = now()
WHERE id IN (
    SELECT id FROM dead_letters
    WHERE value_purged_at IS NULL AND created_at < now() - make_interval(secs => $1)
    LIMIT $2 FOR UPDATE SKIP LOCKED)"""
BATCH = 1000


async def purge_expired(conn: Connection, settings: ServiceSettings) -> dict[str, int]:
    """One pass: every expired response and dead-letter value, batch by batch."""
    purged = {"idempotency_responses": 0, "dead_letter_values": 0}
    for name, sql, keep_s in (
        (
            "idempotency_responses",
            PURGE_RESPONSES,
            settings.idempotency_response_retention_h * 3600,
        ),
        ("dead_letter_values", PURGE_DEAD_LETTERS, settings.dead_letter_retention_days * 86400),
    ):
        while True:
            done = int((await conn.execute(sql, float(keep_s), BATCH)).split()[-1])
            purged[name] += done
            if done < BATCH:
                break
    return purged


async def sweep(pool: asyncpg.Pool, settings: ServiceSettings) -> None:
    """Purge now and every RETENTION_SWEEP_INTERVAL_S; a database outage waits for the next."""
    interval = settings.retention_sweep_interval_s

    async def purge_then_sleep() -> None:
        async with pool.acquire() as conn:
            purged = await purge_expired(conn, settings)
        if any(purged.values()):
            log.info("expired values purged", extra=purged)
        await asyncio.sleep(interval)

    await outlast_outages("retention sweep", purge_then_sleep, interval)
