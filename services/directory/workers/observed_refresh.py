"""Recompute the observed behaviour of practices the consumer marked, every few seconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg

from services.directory.service_layer.commands.observed import BATCH, refresh_marked
from services.directory.settings import DirectorySettings
from warmlink.db import outlast_outages

INTERVAL_S = 2.0


async def refresh(pool: asyncpg.Pool, settings: DirectorySettings) -> int:
    """One batch, in one transaction; returns how many practices it recomputed."""
    async with pool.acquire() as conn, conn.transaction():
        return await refresh_marked(conn, settings, datetime.now(UTC))


async def run(pool: asyncpg.Pool, settings: DirectorySettings) -> None:
    async def refresh_then_sleep() -> None:
        while await refresh(pool, settings) == BATCH:
            pass
        await asyncio.sleep(INTERVAL_S)

    await outlast_outages("observed refresh", refresh_then_sleep, INTERVAL_S)
