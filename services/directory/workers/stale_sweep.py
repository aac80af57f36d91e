"""Tells the network when capacity goes stale: nobody confirmed it within the allowed age.

Each pass runs `commands.capacity.announce_stale` a batch at a time until the backlog is gone,
then sleeps `stale_sweep_interval_s`. Each batch also announces, once per confirmation, the
capacity about to go stale (`commands.nearing_stale`), so its practice is reminded first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import asyncpg

from services.directory.service_layer.commands.capacity import STALE_BATCH, announce_stale
from services.directory.service_layer.commands.nearing_stale import announce_nearing_stale
from services.directory.settings import DirectorySettings
from warmlink.db import outlast_outages

log = logging.getLogger(__name__)


async def sweep(pool: asyncpg.Pool, settings: DirectorySettings) -> int:
    """One batch in one transaction; returns how many records it announced."""
    async with pool.acquire() as conn, conn.transaction():
        now = datetime.now(UTC)
        await announce_nearing_stale(conn, settings, now)
        return await announce_stale(conn, settings, now)


async def run(pool: asyncpg.Pool, settings: DirectorySettings) -> None:
    async def sweep_then_sleep() -> None:
        count = batch = await sweep(pool, settings)
        while batch == STALE_BATCH:  # a backlog: keep going, a batch at a time
            await asyncio.sleep(0.1)
            batch = await sweep(pool, settings)
            count += batch
        if count:
            log.info("stale capacity announced", extra={"count": count})
        await asyncio.sleep(settings.stale_sweep_interval_s)

    await outlast_outages("stale sweep", sweep_then_sleep, settings.stale_sweep_interval_s)
