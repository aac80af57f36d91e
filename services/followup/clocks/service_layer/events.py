"""The clocks' event handlers (inside the consumer's transaction: effect and inbox row together).

Referral events keep each referral's track current, arm its clocks and settle tasks they make
moot; no-shows and declines open re-engagement tasks at once. Directory profiles keep each
practice's time zone and intake hours. A positive screen arms its own clocks, which its referral
or its closure stops.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import (
    AppointmentMissed,
    DischargeSummaryDelivered,
    Envelope,
    OutpatientAppointmentConfirmed,
    PlannedDischargeMoved,
    PositiveScreenClosed,
    PracticeRegistered,
    PracticeUpdated,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
    SafetyAssessmentRecorded,
    ScreenPositive,
)
from contracts.codes import TaskKind
from contracts.events.referral import ReferralEvent
from services.followup.clocks.adapters import screens, store
from services.followup.clocks.adapters.context import ClockContext
from services.followup.clocks.domain.rules import (
    Track,
    ack_clock,
    clocks_on_submission,
    gate_clocks,
    reengagement_due,
    tasks_settled_by,
    urgent_ack_alert,
)
from services.followup.clocks.domain.screens import (
    BEFORE_TRACKING,
    CLOSED,
    REFERRED,
    screen_clocks,
    tracked,
)
from services.followup.clocks.service_layer.commands import announce
from services.followup.settings import FollowupSettings
from warmlink.consumer import Handler, Subscription
from warmlink.db import Connection

# Steps that only move a referral's status: the clocks look at the status when they fire.
REFERRAL_STEPS = (
    "IntakeAcknowledged",
    "AppointmentScheduled",
    "AppointmentAttended",
    "AppointmentCancelled",
    "ReferralCancelled",
    "ReferralClosed",
)


def subscriptions(settings: FollowupSettings) -> list[Subscription]:
    events = ClockEvents(ClockContext.from_settings(settings))
    handlers: dict[str, Handler] = {name: events.on_referral_step for name in REFERRAL_STEPS}
    handlers |= {
        "PracticeRegistered": events.on_practice_profile,
        "PracticeUpdated": events.on_practice_profile,
        "ReferralSubmitted": events.on_referral_submitted,
        "ReferralRedirected": events.on_referral_redirected,
        "ReferralDeclined": events.on_reengagement_needed,
        "AppointmentMissed": events.on_reengagement_needed,
        "ScreenPositive": events.on_screen_positive,
        "PositiveScreenClosed": events.on_positive_screen_closed,
        "SafetyAssessmentRecorded": events.on_safety_assessment_recorded,
        "DischargeSummaryDelivered": events.on_gate_fact,
        "OutpatientAppointmentConfirmed": events.on_gate_fact,
        "PlannedDischargeMoved": events.on_planned_discharge_moved,
    }
    # Clocks run in minutes and business days: nobody waits on this consumer at click speed.
    return [Subscription("followup.clocks", handlers, background=True)]


class ClockEvents:
    """The handlers, built from the clocks' policy and calendars (which come from settings)."""

    def __init__(self, ctx: ClockContext) -> None:
        self.ctx = ctx

    async def on_practice_profile(
        self, conn: Connection, envelope: Envelope, event: PracticeRegistered | PracticeUpdated
    ) -> None:
        # The practice's intake is open whenever any of its services' intake lines answers.
        hours = sorted(
            {(w.weekday, w.opens, w.closes) for s in event.services for w in s.intake_hours}
        )
        await store.save_calendar(
            conn,
            event.practice_id,
            event.time_zone,
            [{"weekday": d, "opens": o, "closes": c} for d, o, c in hours],
            event.updated_at,
        )

    async def on_screen_positive(
        self, conn: Connection, envelope: Envelope, event: ScreenPositive
    ) -> None:
        """A positive screen must be referred or closed in time: arm its escalation clocks."""
        sid = event.screening_id
        if not tracked(event.screened_at, self.ctx.screens_tracked_from):
            await screens.account(
                conn, sid, event.site_id, event.urgent, BEFORE_TRACKING, event.screened_at, ""
            )
            return
        if not await screens.add_screen(conn, sid, event.site_id, event.urgent, event.screened_at):
            return  # seen before, or already referred or closed
        arms = screen_clocks(
            event.urgent, event.screened_at, self.ctx.site_calendar(), self.ctx.policy
        )
        await screens.arm(conn, sid, arms, envelope.event_id)

    async def on_positive_screen_closed(
        self, conn: Connection, envelope: Envelope, event: PositiveScreenClosed
    ) -> None:
        await screens.account(
            conn,
            event.screening_id,
            event.site_id,
            event.urgent,
            CLOSED,
            event.closed_at,
            envelope.type,
        )

    async def on_safety_assessment_recorded(
        self, conn: Connection, envelope: Envelope, event: SafetyAssessmentRecorded
    ) -> None:
        await screens.assessed(
            conn,
            event.screening_id,
            event.site_id,
            event.urgent,
            event.outcome,
            event.assessed_at,
        )

    async def on_referral_submitted(
        self, conn: Connection, envelope: Envelope, event: ReferralSubmitted
    ) -> None:
        if event.screening_id is not None:  # a referred screen stops its clocks
            urgent = event.urgency == "urgent"
            await screens.account(
                conn,
                event.screening_id,
                event.site_id,
                urgent,
                REFERRED,
                event.submitted_at,
                envelope.type,
            )
        track = Track(
            referral_id=str(event.referral_id),
            site_id=event.site_id,
            practice_id=event.practice_id,
            setting=event.setting,
            urgent=event.urgency == "urgent",
            status="submitted",
            submitted_at=event.submitted_at,
            discharge_summary_sent=event.discharge_summary_sent,
            appointment_needed_by=event.appointment_needed_by,
            # A referral that carried the legacy summary reference keeps the old gate rule.
            provider_confirmation_required=(
                event.setting == "iop_php" and not event.discharge_summary_sent
            ),
        )
        if not await store.add_track(conn, track):
            return
        practice = await self.ctx.practice_calendar(conn, event.practice_id)
        arms = clocks_on_submission(track, practice, self.ctx.site_calendar(), self.ctx.policy)
        await store.arm(conn, event.referral_id, arms, envelope.event_id)

    async def on_referral_redirected(
        self, conn: Connection, envelope: Envelope, event: ReferralRedirected
    ) -> None:
        track = await self._move(conn, event, "submitted", event.redirected_at, envelope.type)
        if track is None:
            return
        # The new practice gets its own acknowledgement clock, from the moment it was asked.
        practice = await self.ctx.practice_calendar(conn, event.practice_id)
        arms = [ack_clock(track, event.redirected_at, practice, self.ctx.policy)]
        arms += urgent_ack_alert(track, event.redirected_at, practice, self.ctx.policy)
        await store.arm(conn, event.referral_id, arms, envelope.event_id)

    async def on_referral_step(self, conn: Connection, envelope: Envelope, event: Any) -> None:
        status = event.STATUS.value if event.STATUS is not None else None
        if status is not None:
            await self._move(conn, event, status, envelope.occurred_at, envelope.type)

    async def on_reengagement_needed(
        self, conn: Connection, envelope: Envelope, event: ReferralDeclined | AppointmentMissed
    ) -> None:
        """A decline or a no-show: a next-visit check for the site, due within business days."""
        assert event.STATUS is not None
        track = await self._move(
            conn, event, event.STATUS.value, envelope.occurred_at, envelope.type
        )
        if track is None:
            return
        now = envelope.occurred_at
        due = reengagement_due(now, track.urgent, self.ctx.site_calendar(), self.ctx.policy)
        source = f"event:{envelope.event_id}"
        task_id = await store.open_task(conn, track, TaskKind.NEXT_VISIT_CHECK, now, due, source)
        if task_id is not None:
            await announce(conn, track, task_id, TaskKind.NEXT_VISIT_CHECK, now, due)

    async def on_gate_fact(
        self,
        conn: Connection,
        envelope: Envelope,
        event: DischargeSummaryDelivered | OutpatientAppointmentConfirmed,
    ) -> None:
        """What the IOP/PHP gate waits for arrived; its task is settled once nothing is missing
        (the gate's clocks look at the track when they fire)."""
        at = envelope.occurred_at
        if isinstance(event, DischargeSummaryDelivered):
            track = await store.summary_delivered(conn, event.referral_id, at)
        else:
            track = await store.provider_confirmed(conn, event.referral_id, at)
        if track is not None:
            settled = tasks_settled_by(envelope.type, track)
            await store.settle_tasks(conn, event.referral_id, settled, at, envelope.type)

    async def on_planned_discharge_moved(
        self, conn: Connection, envelope: Envelope, event: PlannedDischargeMoved
    ) -> None:
        """The gate follows the discharge: new clocks for the new time; the old ones fire into
        a no-op (they watch a time the track no longer has)."""
        track = await store.move_gate(
            conn, event.referral_id, event.appointment_needed_by, event.moved_at
        )
        if track is None or not track.active:
            return
        settled = tasks_settled_by(envelope.type, track)
        await store.settle_tasks(conn, event.referral_id, settled, event.moved_at, envelope.type)
        arms = gate_clocks(track, event.moved_at, self.ctx.policy)
        await store.arm(conn, event.referral_id, arms, envelope.event_id)

    async def _move(
        self, conn: Connection, event: ReferralEvent, status: str, at: datetime, why: str
    ) -> Track | None:
        referral_id: UUID = event.referral_id
        track = await store.set_status(conn, referral_id, status, event.practice_id, at)
        if track is None:
            return None  # submitted before this service kept tracks: nothing to time
        await store.settle_tasks(conn, referral_id, tasks_settled_by(why, track), at, why)
        return track
