"""Directory event handlers: capacity follows referral events, and so does each practice's
observed behaviour. They run inside the consumer's transaction, so a redelivered event (skipped by
the inbox) never moves a slot twice; the hold state machine guards out-of-order events too."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts import (
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
    CapacityUpdated,
    Envelope,
    IntakeAcknowledged,
    ReferralCancelled,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
)
from services.directory.adapters import capacity_sql as sql
from services.directory.adapters.listings import capacity_from
from services.directory.domain import holds
from services.directory.domain.freshness import Freshness, freshness
from services.directory.domain.model import Capacity
from services.directory.settings import DirectorySettings
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "directory"


class Handlers:
    """Bound to the service's settings (window, freshness age) at bootstrap."""

    def __init__(self, settings: DirectorySettings) -> None:
        self.settings = settings

    async def submitted(self, conn: Connection, env: Envelope, e: ReferralSubmitted) -> None:
        args = (e.referral_id, e.practice_id, e.submitted_at, e.service_id)
        locked = await sql.lock_hold_and_capacity(conn, sql.SUBMITTED, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, e.service_id, "submitted")

    async def redirected(self, conn: Connection, env: Envelope, e: ReferralRedirected) -> None:
        args = (e.referral_id, e.practice_id, e.redirected_at, e.service_id)
        locked = await sql.lock_hold_and_capacity(conn, sql.SUBMITTED, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, e.service_id, "submitted")

    async def acknowledged(self, conn: Connection, env: Envelope, e: IntakeAcknowledged) -> None:
        await conn.execute(sql.ACKNOWLEDGED, e.referral_id, e.practice_id, e.acknowledged_at)

    async def declined(self, conn: Connection, env: Envelope, e: ReferralDeclined) -> None:
        args = (e.referral_id, e.practice_id, e.reason, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.DECLINED, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, None, "declined")

    async def cancelled(self, conn: Connection, env: Envelope, e: ReferralCancelled) -> None:
        args = (e.referral_id, e.practice_id, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.HOLD_AND_CAPACITY_FOR_UPDATE, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, None, "cancelled")

    async def scheduled(self, conn: Connection, env: Envelope, e: AppointmentScheduled) -> None:
        args = (e.referral_id, e.practice_id, e.appointment_at, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.SCHEDULED, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, None, "scheduled")

    async def attended(self, conn: Connection, env: Envelope, e: AppointmentAttended) -> None:
        await conn.execute(sql.ATTENDANCE, e.referral_id, e.practice_id, True)

    async def missed(self, conn: Connection, env: Envelope, e: AppointmentMissed) -> None:
        await conn.execute(sql.ATTENDANCE, e.referral_id, e.practice_id, False)

    async def _move(
        self,
        conn: Connection,
        env: Envelope,
        locked: sql.Locked,
        referral_id: UUID,
        practice_id: str,
        service_id: str | None,
        event: holds.HoldEvent,
    ) -> None:
        """Apply `event` to the hold and capacity `locked` (read, and the event's fact recorded
        and its practice marked for observed_refresh, in the same statement)."""
        service_id = service_id or locked.hold_service_id
        if service_id is None:
            return  # an appointment for a referral we never saw submitted: nothing to move
        capacity = locked.capacity
        available = capacity["available"] if capacity else 0
        maximum = capacity["maximum"] if capacity else None
        change = holds.apply(available, locked.hold, event, maximum)
        if not change.changed or change.hold is None:
            return
        delta = change.available_delta if capacity is not None else 0
        await sql.save_hold(conn, referral_id, practice_id, service_id, change.hold, delta)
        if capacity is not None and delta:
            await publish_capacity(
                conn,
                self.settings,
                practice_id,
                service_id,
                capacity_from(capacity, available + delta),
                causation=env,
            )


async def publish_capacity(
    conn: Connection,
    settings: DirectorySettings,
    practice_id: str,
    service_id: str,
    c: Capacity,
    causation: Envelope | None = None,
) -> None:
    stale = freshness(c, datetime.now(UTC), settings.capacity_max_age) is not Freshness.FRESH
    event = CapacityUpdated(
        practice_id=practice_id,
        service_id=service_id,
        available=c.available,
        maximum=c.maximum,
        next_available_intake=c.next_available_intake,
        accepting_new_patients=c.accepting_new_patients,
        verified_at=c.verified_at,
        stale=stale,
    )
    await publish_later(conn, event, producer=PRODUCER, causation=causation)
