"""Fires due clocks: each exactly once, in the same transaction as everything it causes.

A clock is marked fired in the transaction that records its breach, opens its task and puts its
events in the outbox, so a crash before the commit leaves it to fire again and a crash after it
cannot fire it twice. ``FOR UPDATE SKIP LOCKED`` lets several replicas share the work.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.followup.clocks.adapters import store
from services.followup.clocks.adapters.context import ClockContext
from services.followup.clocks.service_layer.commands import fire_clock
from warmlink.db import CONNECTION_LOST, DATABASE_ERRORS, Connection

log = logging.getLogger(__name__)
BATCH = 200
RETRY_AFTER = timedelta(minutes=5)


class ClockScheduler:
    def __init__(self, pool: asyncpg.Pool, ctx: ClockContext) -> None:
        self.pool = pool
        self.ctx = ctx

    async def tick(self) -> int:
        """Fire every clock due by ``ctx.now()``; returns how many clocks were looked at."""
        total = 0
        while True:
            now = self.ctx.now()
            async with self.pool.acquire() as conn, conn.transaction():
                due = await conn.fetch(store.DUE_CLOCKS, now, BATCH)
                for clock in due:
                    await self._fire_isolated(conn, clock, now)
            total += len(due)
            if len(due) < BATCH:
                return total

    async def run(self, interval_s: float) -> None:
        while True:
            try:
                fired = await self.tick()
                if fired:
                    log.info("clocks fired", extra={"count": fired})
            except DATABASE_ERRORS as exc:
                # The database is away or restarting (or refuses a query): the clocks wait in
                # it, nothing is lost, and the scheduler goes on once it answers.
                log.warning("clock scheduler waiting for the database", extra={"error": str(exc)})
            await asyncio.sleep(await self._pause(interval_s))

    async def _pause(self, interval_s: float) -> float:
        try:
            next_fire: datetime | None = await self.pool.fetchval(store.NEXT_FIRE)
        except DATABASE_ERRORS:
            return interval_s
        if next_fire is None:
            return interval_s
        return max(0.05, min(interval_s, (next_fire - self.ctx.now()).total_seconds()))

    async def _fire_isolated(self, conn: Connection, clock: Any, now: datetime) -> None:
        """One clock that cannot fire (a bug, bad data) must not hold back the others: its
        effects roll back to a savepoint and it is tried again later, never dropped."""
        try:
            async with conn.transaction():  # a savepoint inside the batch's transaction
                await fire_clock(conn, clock, now)
        except CONNECTION_LOST:
            raise
        except Exception as exc:
            log.exception("clock could not fire; retrying later", extra={"clock": str(clock["id"])})
            await conn.execute(
                store.RETRY_LATER, clock["id"], now + RETRY_AFTER, type(exc).__name__
            )
