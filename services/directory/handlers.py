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
from services.directory import observed_refresh
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
        await conn.execute(sql.FACT_SUBMITTED, e.referral_id, e.practice_id, e.submitted_at)
        await self._move(conn, env, e.referral_id, e.practice_id, e.service_id, "submitted")
        await self._observe(conn, e.practice_id)

    async def redirected(self, conn: Connection, env: Envelope, e: ReferralRedirected) -> None:
        await conn.execute(sql.FACT_SUBMITTED, e.referral_id, e.practice_id, e.redirected_at)
        await self._move(conn, env, e.referral_id, e.practice_id, e.service_id, "submitted")
        await self._observe(conn, e.practice_id)

    async def acknowledged(self, conn: Connection, env: Envelope, e: IntakeAcknowledged) -> None:
        await conn.execute(sql.FACT_ACKNOWLEDGED, e.referral_id, e.practice_id, e.acknowledged_at)
        await self._observe(conn, e.practice_id)

    async def declined(self, conn: Connection, env: Envelope, e: ReferralDeclined) -> None:
        await conn.execute(sql.FACT_DECLINED, e.referral_id, e.practice_id, e.reason)
        await self._move(conn, env, e.referral_id, e.practice_id, None, "declined")
        await self._observe(conn, e.practice_id)

    async def cancelled(self, conn: Connection, env: Envelope, e: ReferralCancelled) -> None:
        await self._move(conn, env, e.referral_id, e.practice_id, None, "cancelled")

    async def scheduled(self, conn: Connection, env: Envelope, e: AppointmentScheduled) -> None:
        await conn.execute(sql.FACT_SCHEDULED, e.referral_id, e.practice_id, e.appointment_at)
        await self._move(conn, env, e.referral_id, e.practice_id, None, "scheduled")
        await self._observe(conn, e.practice_id)

    async def attended(self, conn: Connection, env: Envelope, e: AppointmentAttended) -> None:
        await conn.execute(sql.FACT_ATTENDANCE, e.referral_id, e.practice_id, True)
        await self._observe(conn, e.practice_id)

    async def missed(self, conn: Connection, env: Envelope, e: AppointmentMissed) -> None:
        await conn.execute(sql.FACT_ATTENDANCE, e.referral_id, e.practice_id, False)
        await self._observe(conn, e.practice_id)

    async def _move(
        self,
        conn: Connection,
        env: Envelope,
        referral_id: UUID,
        practice_id: str,
        service_id: str | None,
        event: holds.HoldEvent,
    ) -> None:
        found = await sql.hold_for_update(conn, referral_id, practice_id)
        current = found[1] if found else None
        service_id = service_id or (found[0] if found else None)
        if service_id is None:
            return  # an appointment for a referral we never saw submitted: nothing to move
        capacity = await sql.capacity_for_update(conn, service_id)
        available = capacity["available"] if capacity else 0
        maximum = capacity["maximum"] if capacity else None
        change = holds.apply(available, current, event, maximum)
        if not change.changed or change.hold is None:
            return
        await sql.save_hold(conn, referral_id, practice_id, service_id, change.hold)
        if capacity is not None and change.available_delta:
            await sql.adjust_available(conn, service_id, change.available_delta)
            await publish_capacity(
                conn,
                self.settings,
                practice_id,
                service_id,
                capacity_from(capacity, available + change.available_delta),
                causation=env,
            )

    async def _observe(self, conn: Connection, practice_id: str) -> None:
        """Mark the practice: its observed behaviour is recomputed within a few seconds
        (observed_refresh), not once per event."""
        await observed_refresh.mark(conn, practice_id)


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
