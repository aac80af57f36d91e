"""The measures' handlers: each records one de-identified fact, inside the consumer's transaction.

The inbox makes each event apply once; the read model's own keys make a second application a
no-op anyway. Facts from different topics (referral, follow-up, screening, directory) are stored
apart and joined when a measure is computed, so their arrival order does not matter.
"""

from __future__ import annotations

from typing import Any

from contracts import (
    AppointmentAttended,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentScheduled,
    CapacityUpdated,
    Envelope,
    FollowUpCompleted,
    IntakeAcknowledged,
    ReferralCancelled,
    ReferralClosed,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
    ScreenPositive,
    SlaBreached,
)
from contracts.events.directory import PracticeProfile
from contracts.events.referral import ReferralEvent
from services.followup.measures.adapters import store
from services.followup.measures.domain.facts import Step, StepKind, Submission
from services.followup.settings import FollowupSettings
from warmlink.consumer import Handler, Subscription
from warmlink.db import Connection

# Lifecycle events after submission: each is one step of the referral's journey.
STEP_EVENTS = (
    "IntakeAcknowledged",
    "ReferralDeclined",
    "ReferralRedirected",
    "AppointmentScheduled",
    "AppointmentAttended",
    "AppointmentMissed",
    "AppointmentCancelled",
    "ReferralCancelled",
    "ReferralClosed",
)


def subscriptions(settings: FollowupSettings) -> list[Subscription]:
    handlers: dict[str, Handler] = {
        "ScreenPositive": on_screen_positive,
        "ReferralSubmitted": on_referral_submitted,
        **dict.fromkeys(STEP_EVENTS, on_referral_step),
        "SlaBreached": on_sla_breached,
        "FollowUpCompleted": on_follow_up_completed,
        "PracticeRegistered": on_practice_profile,
        "PracticeUpdated": on_practice_profile,
        "CapacityUpdated": on_capacity_updated,
    }
    # Measures are read minutes later at the earliest: nobody waits on this consumer.
    return [Subscription("followup.measures", handlers, background=True)]


async def on_screen_positive(conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
    """Start the 30-day follow-up measure for this positive screen."""
    await store.record_screen(conn, event)


async def on_referral_submitted(conn: Connection, envelope: Envelope, e: ReferralSubmitted) -> None:
    """The referral's submission facts; patient_ref is not kept (screening_id links the screen)."""
    await store.record_submission(
        conn,
        Submission(
            referral_id=e.referral_id,
            site_id=e.site_id,
            practice_id=e.practice_id,
            service_id=e.service_id,
            screening_id=e.screening_id,
            setting=e.setting.value,
            method=e.method.value,
            urgency=e.urgency.value,
            level_of_care=e.level_of_care.value,
            submitted_at=e.submitted_at,
            barriers=tuple(sorted({b.value for b in e.barriers})),
        ),
    )


def to_step(envelope: Envelope, e: ReferralEvent) -> Step:
    """The measures' view of a lifecycle event after submission."""
    base: dict[str, Any] = {"referral_id": e.referral_id, "practice_id": e.practice_id}
    match e:
        case IntakeAcknowledged():
            return Step(kind=StepKind.ACKNOWLEDGED, at=e.acknowledged_at, **base)
        case ReferralDeclined():
            return Step(kind=StepKind.DECLINED, at=e.declined_at, reason=e.reason.value, **base)
        case ReferralRedirected():
            return Step(kind=StepKind.REDIRECTED, at=e.redirected_at, reason=e.reason.value, **base)
        case AppointmentScheduled():
            return Step(
                kind=StepKind.SCHEDULED,
                at=e.scheduled_at,
                appointment_id=e.appointment_id,
                appointment_at=e.appointment_at,
                **base,
            )
        case ReferralCancelled():
            return Step(kind=StepKind.CANCELLED, at=e.cancelled_at, reason=e.reason.value, **base)
        case ReferralClosed():
            return Step(kind=StepKind.CLOSED, at=e.closed_at, reason=e.outcome.value, **base)
    # Attended, missed and cancelled appointments carry the appointment's time, not the time
    # they were recorded: that is the envelope's.
    kinds = {
        AppointmentAttended: StepKind.ATTENDED,
        AppointmentMissed: StepKind.MISSED,
        AppointmentCancelled: StepKind.APPOINTMENT_CANCELLED,
    }
    assert isinstance(e, AppointmentAttended | AppointmentMissed | AppointmentCancelled)
    reason = e.reason.value if isinstance(e, AppointmentCancelled) else None
    return Step(
        kind=kinds[type(e)],
        at=envelope.occurred_at,
        appointment_id=e.appointment_id,
        appointment_at=e.appointment_at,
        reason=reason,
        **base,
    )


async def on_referral_step(conn: Connection, envelope: Envelope, e: ReferralEvent) -> None:
    await store.record_step(conn, envelope.event_id, to_step(envelope, e))


async def on_sla_breached(conn: Connection, envelope: Envelope, e: SlaBreached) -> None:
    await store.record_breach(conn, e)


async def on_follow_up_completed(
    conn: Connection, envelope: Envelope, e: FollowUpCompleted
) -> None:
    await store.record_follow_up(conn, e)


async def on_practice_profile(conn: Connection, envelope: Envelope, e: PracticeProfile) -> None:
    await store.replace_profile(conn, e)


async def on_capacity_updated(conn: Connection, envelope: Envelope, e: CapacityUpdated) -> None:
    await store.record_capacity(conn, e, envelope.occurred_at)
