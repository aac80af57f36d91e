"""The de-identified facts the read model keeps: ids, codes and times, nothing about the patient."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID


class StepKind(StrEnum):
    """A lifecycle event after submission, as recorded for measures."""

    ACKNOWLEDGED = "acknowledged"
    DECLINED = "declined"
    REDIRECTED = "redirected"
    SCHEDULED = "scheduled"
    ATTENDED = "attended"
    MISSED = "missed"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    CANCELLED = "cancelled"
    CLOSED = "closed"


@dataclass(frozen=True)
class Submission:
    """A warm handoff as submitted (ReferralSubmitted)."""

    referral_id: UUID
    site_id: str
    practice_id: str
    service_id: str
    screening_id: UUID | None
    setting: str
    method: str
    urgency: str
    level_of_care: str
    submitted_at: datetime
    barriers: tuple[str, ...] = ()
    """What she said may keep her from the first appointment (contracts.codes.AccessBarrier)."""


@dataclass(frozen=True)
class Step:
    """One lifecycle event. `at` is when it happened (for attended / missed / appointment
    cancelled: when it was recorded); `appointment_at` is the appointment's own time."""

    referral_id: UUID
    kind: StepKind
    practice_id: str
    at: datetime
    appointment_id: UUID | None = None
    appointment_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Breach:
    """An SLA breach (SlaBreached)."""

    referral_id: UUID
    kind: str
    site_id: str
    practice_id: str
    detected_at: datetime
    urgent: bool


@dataclass(frozen=True)
class FollowUp:
    """A coordinator's completed follow-up (FollowUpCompleted)."""

    referral_id: UUID
    outcome: str
    completed_at: datetime


@dataclass(frozen=True)
class Screen:
    """A positive screen (ScreenPositive); each patient's first in the period is the denominator
    of the 30-day follow-up measure. `patient_ref` is the site's pseudonymous reference (None for
    a screen recorded before the measures kept it)."""

    screening_id: UUID
    site_id: str
    setting: str
    screened_at: datetime
    patient_ref: str | None = None


@dataclass(frozen=True)
class Listing:
    """One service's capacity as the network sees it. Level and area are None when the profile
    has not arrived yet; the capacity fields are None when no capacity was ever reported."""

    practice_id: str
    service_id: str
    level_of_care: str | None
    area: str | None
    practice_accepting: bool
    available: int | None
    maximum: int | None
    next_available_intake: date | None
    accepting_new_patients: bool
    verified_at: datetime | None
    stale: bool
