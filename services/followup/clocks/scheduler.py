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
from uuid import UUID

import asyncpg

from contracts import GateAlertRaised, SlaBreached
from contracts.codes import TaskKind
from services.followup.clocks.adapters import store
from services.followup.clocks.context import ClockContext
from services.followup.clocks.domain.rules import ClockKind, Effects, Track, on_fire
from services.followup.clocks.handlers import PRODUCER, announce
from warmlink.db import CONNECTION_LOST, DATABASE_ERRORS, Connection
from warmlink.outbox import publish_later

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
                await self._fire(conn, clock, now)
        except CONNECTION_LOST:
            raise
        except Exception as exc:
            log.exception("clock could not fire; retrying later", extra={"clock": str(clock["id"])})
            await conn.execute(
                store.RETRY_LATER, clock["id"], now + RETRY_AFTER, type(exc).__name__
            )

    async def _fire(self, conn: Connection, clock: Any, now: datetime) -> None:
        referral_id: UUID = clock["referral_id"]
        track = await store.track(conn, referral_id)
        assert track is not None  # clocks reference their track
        kind = ClockKind(clock["kind"])
        effects = on_fire(
            kind,
            clock["practice_id"],
            clock["due_at"],
            track,
            await store.open_task_kinds(conn, referral_id),
        )
        await self._apply(conn, clock, track, effects, now)
        await conn.execute(store.MARK_FIRED, clock["id"], now, effects.note)

    async def _apply(
        self, conn: Connection, clock: Any, track: Track, effects: Effects, now: datetime
    ) -> None:
        common = {
            "referral_id": UUID(track.referral_id),
            "site_id": track.site_id,
            "practice_id": track.practice_id,
        }
        if effects.breach is not None:
            await store.record_breach(conn, track, effects.breach.value, clock["due_at"], now)
            breach = SlaBreached(
                **common,
                kind=effects.breach,
                due_at=clock["due_at"],
                detected_at=now,
                urgent=track.urgent,
            )
            await publish_later(conn, breach, producer=PRODUCER)
        if effects.gate_missing and track.gate is not None:
            alert = GateAlertRaised(
                **common,
                gate=track.gate,
                gate_at=clock["due_at"],
                missing=effects.gate_missing,
                raised_at=now,
                urgent=track.urgent,
            )
            await publish_later(conn, alert, producer=PRODUCER)
        if effects.task is not None:
            due_at = effects.task_due_at or now
            source = f"clock:{clock['id']}"
            task_id = await store.open_task(conn, track, effects.task, now, due_at, source)
            if task_id is not None and effects.announce_follow_up:
                await announce(conn, track, task_id, TaskKind(effects.task), now, due_at)
