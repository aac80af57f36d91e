"""Which integration event records each step of a referral: its submission, a redirect, and each
lifecycle action. Pure: the commands queue what these build."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import (
    AppointmentAttended,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentScheduled,
    EventPayload,
    IntakeAcknowledged,
    PatientContacted,
    ReferralCancelled,
    ReferralClosed,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
)
from services.referral.domain.lifecycle import Action, redirect_reason
from services.referral.domain.referral import Referral


def submitted(referral: Referral) -> ReferralSubmitted:
    return ReferralSubmitted(
        referral_id=referral.id,
        site_id=referral.site_id,
        practice_id=referral.practice_id,
        service_id=referral.service_id,
        screening_id=referral.screening_id,
        patient_ref=referral.patient_ref,
        setting=referral.setting,
        method=referral.method,
        urgency=referral.urgency,
        urgency_reason=referral.urgency_reason,
        level_of_care=referral.level_of_care,
        modality=None,
        referrer_id=referral.referrer_id,
        dyad=referral.setting == "pediatric",
        submitted_at=referral.submitted_at,
        acknowledge_by=referral.acknowledge_by,
        appointment_needed_by=referral.appointment_needed_by,
        discharge_summary_sent=referral.discharge_summary_ref is not None,
        barriers=list(referral.barriers),
    )


def redirected(
    before: Referral, after: Referral, at: datetime, *, automatic: bool = False
) -> ReferralRedirected:
    """`before` is the referral as the previous practice held it, `after` as redirected;
    `automatic` when the network moved it by itself (domain/auto_redirect.py)."""
    return ReferralRedirected(
        referral_id=after.id,
        site_id=before.site_id,
        practice_id=after.practice_id,
        previous_practice_id=before.practice_id,
        service_id=after.service_id,
        reason=redirect_reason(before.status),
        decline_reason=None,
        redirected_at=at,
        acknowledge_by=after.acknowledge_by,
        automatic=automatic,
    )


def event_for(
    action: Action,
    *,
    referral_id: UUID,
    site_id: str,
    practice_id: str,
    at: datetime,
    details: dict[str, Any],
    appointment: tuple[UUID, datetime] | None,
    level_of_care: str,
    attempt: int,
) -> EventPayload:
    base = {"referral_id": referral_id, "site_id": site_id, "practice_id": practice_id}
    appointment_id, appointment_at = appointment or (None, None)
    match action:
        case Action.ACKNOWLEDGE:
            return IntakeAcknowledged(**base, acknowledged_at=at)
        case Action.RECORD_CONTACT:
            return PatientContacted(
                **base,
                attempt=attempt,
                channel=details["channel"],
                outcome=details["outcome"],
                contacted_at=at,
            )
        case Action.SCHEDULE:
            return AppointmentScheduled(
                **base,
                appointment_id=appointment_id,
                appointment_at=appointment_at,
                modality=details["modality"],
                level_of_care=level_of_care,
                scheduled_at=at,
            )
        case Action.RECORD_ATTENDED:
            return AppointmentAttended(
                **base, appointment_id=appointment_id, appointment_at=appointment_at
            )
        case Action.RECORD_MISSED:
            return AppointmentMissed(
                **base, appointment_id=appointment_id, appointment_at=appointment_at
            )
        case Action.CANCEL_APPOINTMENT:
            return AppointmentCancelled(
                **base,
                appointment_id=appointment_id,
                appointment_at=appointment_at,
                cancelled_by=details["cancelled_by"],
                reason=details["reason"],
            )
        case Action.DECLINE:
            return ReferralDeclined(**base, reason=details["reason"], declined_at=at)
        case Action.CANCEL:
            return ReferralCancelled(**base, reason=details["reason"], cancelled_at=at)
        case Action.CLOSE:
            return ReferralClosed(**base, outcome=details["outcome"], closed_at=at)
    raise ValueError(f"no event for {action}")
