"""Directory event handlers: capacity follows referral events, and so does each practice's
observed behaviour. They run inside the consumer's transaction, so a redelivered event (skipped by
the inbox) never moves a slot twice; the hold state machine guards out-of-order events too.

One consumer group, ``directory.capacity``, declared by `subscriptions`."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts import (
    AppointmentAttended,
    AppointmentMissed,
    AppointmentScheduled,
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
from services.directory.service_layer.commands.capacity import publish_capacity
from services.directory.settings import DirectorySettings
from warmlink.consumer import Subscription
from warmlink.db import Connection


def subscriptions(settings: DirectorySettings) -> list[Subscription]:
    """Referral events move capacity holds and each practice's observed behaviour."""
    h = CapacityEvents(settings)
    return [
        Subscription(
            "directory.capacity",
            {
                "ReferralSubmitted": h.on_referral_submitted,
                "ReferralRedirected": h.on_referral_redirected,
                "IntakeAcknowledged": h.on_intake_acknowledged,
                "ReferralDeclined": h.on_referral_declined,
                "ReferralCancelled": h.on_referral_cancelled,
                "AppointmentScheduled": h.on_appointment_scheduled,
                "AppointmentAttended": h.on_appointment_attended,
                "AppointmentMissed": h.on_appointment_missed,
            },
            background=True,
        )
    ]


RELEASES = ("declined", "cancelled")
UNKNOWN_SERVICE = ""  # the service of a release seen before its submission (it moves no slot)


class CapacityEvents:
    """Bound to the service's settings (the capacity freshness age) at bootstrap."""

    def __init__(self, settings: DirectorySettings) -> None:
        self.settings = settings

    async def on_referral_submitted(
        self, conn: Connection, env: Envelope, e: ReferralSubmitted
    ) -> None:
        await self._hold(conn, env, e.referral_id, e.practice_id, e.submitted_at, e.service_id)

    async def on_referral_redirected(
        self, conn: Connection, env: Envelope, e: ReferralRedirected
    ) -> None:
        """The next practice holds a slot, as if the referral had been submitted to it."""
        await self._hold(conn, env, e.referral_id, e.practice_id, e.redirected_at, e.service_id)

    async def on_intake_acknowledged(
        self, conn: Connection, env: Envelope, e: IntakeAcknowledged
    ) -> None:
        at = e.acknowledged_at
        await sql.record_fact(conn, sql.ACKNOWLEDGED, e.referral_id, e.practice_id, at)

    async def on_referral_declined(
        self, conn: Connection, env: Envelope, e: ReferralDeclined
    ) -> None:
        args = (e.referral_id, e.practice_id, e.reason, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.DECLINED, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, None, "declined")

    async def on_referral_cancelled(
        self, conn: Connection, env: Envelope, e: ReferralCancelled
    ) -> None:
        args = (e.referral_id, e.practice_id, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.HOLD_AND_CAPACITY_FOR_UPDATE, *args)
        await self._move(conn, env, locked, e.referral_id, e.practice_id, None, "cancelled")

    async def on_appointment_scheduled(
        self, conn: Connection, env: Envelope, e: AppointmentScheduled
    ) -> None:
        args = (e.referral_id, e.practice_id, e.appointment_at, None)
        locked = await sql.lock_hold_and_capacity(conn, sql.SCHEDULED, *args)
        service_id = None
        if locked.hold is None:
            # Seen before its submission (a relay re-sent a batch after a partial failure): the
            # event names no service, so take the practice's one service at its level of care.
            service_id = await sql.service_at_level(conn, e.practice_id, e.level_of_care)
            if service_id is not None:
                again = (e.referral_id, e.practice_id, service_id)
                locked = await sql.lock_hold_and_capacity(
                    conn, sql.HOLD_AND_CAPACITY_FOR_UPDATE, *again
                )
        await self._move(conn, env, locked, e.referral_id, e.practice_id, service_id, "scheduled")

    async def on_appointment_attended(
        self, conn: Connection, env: Envelope, e: AppointmentAttended
    ) -> None:
        await sql.record_fact(conn, sql.ATTENDANCE, e.referral_id, e.practice_id, True)

    async def on_appointment_missed(
        self, conn: Connection, env: Envelope, e: AppointmentMissed
    ) -> None:
        await sql.record_fact(conn, sql.ATTENDANCE, e.referral_id, e.practice_id, False)

    async def _hold(
        self,
        conn: Connection,
        env: Envelope,
        referral_id: UUID,
        practice_id: str,
        at: datetime,
        service_id: str,
    ) -> None:
        args = (referral_id, practice_id, at, service_id)
        locked = await sql.lock_hold_and_capacity(conn, sql.SUBMITTED, *args)
        await self._move(conn, env, locked, referral_id, practice_id, service_id, "submitted")

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
        if service_id is None and event not in RELEASES:
            return  # an appointment for a referral we never saw submitted, at no known service
        service_id = service_id or UNKNOWN_SERVICE  # a release remembered before its hold
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
