"""The referring site's worklist: who screened positive and still needs a warm handoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from contracts import ScreenPositive

NEEDS_REFERRAL = "needs_referral"


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
    # Set when a referral answered this screen; still set when it came back after a decline.
    referral_id: UUID | None = None

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
