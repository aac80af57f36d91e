"""Her status page (docs/domain.md "Her status page"): what it may show and how long it lives.
Pure.

It shows the practice's name, where the referral stands (a key the page says in plain words, in
her language), her appointment while one is booked, and her language: no name, no clinical
detail, no referral id. The link lives until 30 days after the loop closes (attended, closed,
cancelled, or declined and not redirected), then reads as a link that never existed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.lifecycle import ReferralStatus
from services.referral.domain.referral import AppointmentLogistics

LINK_LIFETIME_AFTER_CLOSE = timedelta(days=30)
# The loop is closed: she went, the referral ended, or the practice declined (a redirect puts
# it back to `submitted`, and her link lives on with it).
LOOP_CLOSED = frozenset(
    {
        ReferralStatus.ATTENDED,
        ReferralStatus.CLOSED,
        ReferralStatus.CANCELLED,
        ReferralStatus.DECLINED,
    }
)


@dataclass(frozen=True)
class StatusView:
    """The referral as her page may see it."""

    time_zone: str
    practice_name: str
    status: ReferralStatus
    updated_at: datetime
    language: str
    appointment_at: datetime | None


def expired(view: StatusView, now: datetime) -> bool:
    return view.status in LOOP_CLOSED and now >= view.updated_at + LINK_LIFETIME_AFTER_CLOSE


def status_page(view: StatusView, logistics: AppointmentLogistics | None) -> dict[str, Any]:
    """The page's facts, and nothing more: the appointment only while it is booked."""
    appointment = None
    if view.status is ReferralStatus.SCHEDULED and view.appointment_at is not None:
        where = logistics or AppointmentLogistics()
        appointment = {
            "at": view.appointment_at.isoformat(),
            "time_zone": view.time_zone,
            "clinician": where.clinician_name,
            "location": where.location,
            "telehealth_instructions": where.telehealth_instructions,
        }
    return {
        "practice_name": view.practice_name,
        "status": str(view.status),
        "appointment": appointment,
        "language": view.language,
    }
