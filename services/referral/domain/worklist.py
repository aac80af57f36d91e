"""The referring site's worklist: who screened positive and still needs a warm handoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from contracts import ScreenPositive

NEEDS_REFERRAL = "needs_referral"


class WorklistReason(StrEnum):
    """Why the patient is on the list, so the site knows what to do next."""

    POSITIVE_SCREEN = "positive_screen"  # refer her (warm handoff)
    DECLINED = "declined"  # the practice declined: redirect to one of the next matches
    # The practice did not acknowledge within a business day: redirect to one of the next matches.
    ACKNOWLEDGEMENT_OVERDUE = "acknowledgement_overdue"
    # Follow-up found care did not happen and re-engaged her: make a new referral.
    RE_ENGAGEMENT = "re_engagement"


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


def priority(item: WorklistItem) -> tuple[bool, datetime]:
    """Urgent first (a safety item was positive), then the longest waiting."""
    return (not item.urgent, item.screened_at)
