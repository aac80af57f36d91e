"""Which integration event records each lifecycle action."""

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
)
from services.referral.domain.lifecycle import Action


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
