"""The referring site's worklist: who screened positive and still needs a warm handoff.

A positive screen is accounted for when it is referred, or closed by the site with a coded
reason; an urgent one (a positive safety item) needs a recorded safety assessment before it can
be closed. The rules are here; the follow-up service's clocks escalate a screen left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from contracts import ScreenPositive
from contracts.codes import ScreenClosureReason
from services.referral.domain.errors import (
    NoteRequired,
    SafetyAssessmentMissing,
    ScreenAlreadyAccounted,
)

NEEDS_REFERRAL = "needs_referral"
REFERRED = "referred"
CLOSED = "closed"


class WorklistReason(StrEnum):
    """Why the patient is on the list, so the site knows what to do next."""

    POSITIVE_SCREEN = "positive_screen"  # refer her (warm handoff)
    DECLINED = "declined"  # the practice declined: redirect to one of the next matches
    # The practice did not acknowledge within a business day: redirect to one of the next matches.
    ACKNOWLEDGEMENT_OVERDUE = "acknowledgement_overdue"
    # Her first appointment is later than her urgency allows: redirect to one of the next matches.
    NO_TIMELY_APPOINTMENT = "no_timely_appointment"
    # Follow-up found care did not happen and re-engaged her: make a new referral.
    RE_ENGAGEMENT = "re_engagement"
    # A redirect the network would have made by itself waits for the site (RedirectHold):
    NO_MATCH = "no_match"  # no practice left to offer her to: find one
    # Part 2: get her consent naming the next practice, then redirect
    REDISCLOSURE_CONSENT_NEEDED = "redisclosure_consent_needed"


@dataclass(frozen=True)
class WorklistItem:
    screening_id: UUID
    site_id: str
    patient_ref: str
    instrument: str
    total: int
    band: str
    urgent: bool
    setting: str
    screened_at: datetime
    status: str = NEEDS_REFERRAL
    # Set when a referral answered this screen; still set when she came back on the list.
    referral_id: UUID | None = None
    reason: str = WorklistReason.POSITIVE_SCREEN
    reason_detail: str | None = None  # a code: the decline reason, the follow-up barrier
    returned_at: datetime | None = None
    closure_reason: str | None = None
    closed_at: datetime | None = None
    safety_outcome: str | None = None
    safety_assessed_at: datetime | None = None
    escalation: str | None = None  # the coordinator level it reached, if it escalated
    escalated_at: datetime | None = None

    @classmethod
    def from_screen(cls, event: ScreenPositive) -> WorklistItem:
        return cls(
            screening_id=event.screening_id,
            site_id=event.site_id,
            patient_ref=event.patient_ref,
            instrument=event.instrument,
            total=event.total,
            band=event.band,
            urgent=event.urgent,
            setting=event.setting,
            screened_at=event.screened_at,
        )


@dataclass(frozen=True)
class CloseScreen:
    """The site closes a positive screen without a referral: a code, and a note for `other`."""

    screening_id: UUID
    reason: ScreenClosureReason
    note: str | None = None

    def __post_init__(self) -> None:
        if self.reason is ScreenClosureReason.OTHER and not (self.note or "").strip():
            raise NoteRequired()


def closure_allowed(item: WorklistItem, command: CloseScreen) -> bool:
    """True to close; False when it is closed already for the same reason (a repeat, no-op).
    Refused: a screen a referral answers, one closed otherwise, an urgent one unassessed."""
    if item.status == CLOSED:
        if item.closure_reason == command.reason:
            return False
        raise ScreenAlreadyAccounted(item.status, item.closure_reason)
    if item.status == REFERRED:
        raise ScreenAlreadyAccounted(item.status, None)
    if item.urgent and item.safety_outcome is None:
        raise SafetyAssessmentMissing()
    return True


def assessment_allowed(item: WorklistItem) -> None:
    """An assessment may be recorded (again) until the screen is closed."""
    if item.status == CLOSED:
        raise ScreenAlreadyAccounted(item.status, item.closure_reason)


def priority(item: WorklistItem) -> tuple[bool, datetime]:
    """Urgent first (a safety item was positive), then the longest waiting."""
    return (not item.urgent, item.screened_at)
