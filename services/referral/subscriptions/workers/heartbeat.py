"""The heartbeat loop: every idle subscription gets a heartbeat, with its next event number, so
a subscriber that hears nothing for `heartbeat_s` knows the silence is not a lost connection.
Replicas share it through SKIP LOCKED (adapters/notifications.py)."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from services.referral.subscriptions.adapters.notifications import record_heartbeats
from warmlink.db import DATABASE_ERRORS

log = logging.getLogger(__name__)

# How often idle subscriptions are looked for: one small indexed query, and heartbeats land at
# most this late.
HEARTBEAT_TICK_S = 1.0


async def heartbeat_loop(pool: asyncpg.Pool, tick_s: float = HEARTBEAT_TICK_S) -> None:
    while True:
        try:
            async with pool.acquire() as conn, conn.transaction():
                await record_heartbeats(conn)
        except DATABASE_ERRORS as exc:
            log.warning("heartbeats not recorded", extra={"error": type(exc).__name__})
        await asyncio.sleep(tick_s)
