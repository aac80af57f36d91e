"""Why each match is where it is: short sentences a referring nurse can read aloud.

Every fact that moved a service up or down the list gets a sentence, in a fixed order (capacity,
timing, payment, fit, place, track record, then anything that pushed it down), so the ranking is
never a black box. Staleness is always spelled out: a number nobody confirmed must not look
like one somebody did.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from services.directory.domain import ranking_rules as rules
from services.directory.domain.freshness import Freshness, age_hours
from services.directory.domain.model import (
    ObservedBehaviour,
    Organization,
    Population,
    PracticeType,
    Service,
)
from services.directory.domain.observed import DEFAULT_WINDOW

if TYPE_CHECKING:  # only for annotations: matching imports this module
    from services.directory.domain.matching import MatchRequest

SortKey = tuple[int, int, int, int, float, float, str, str]


@dataclass(slots=True)  # per candidate per request: see `Match` for why not frozen
class Scored:
    """An eligible candidate with everything the rule computed about it."""

    organization: Organization
    service: Service
    observed: ObservedBehaviour
    reach: rules.Reach
    freshness: Freshness
    tier: int
    expected_days: int
    usable_without_insurance: bool
    key: SortKey
    forced_in: bool = False  # placed by the insurance-agnostic guarantee (rule g)

    def forced(self) -> Scored:
        return replace(self, forced_in=True)


def reasons_for(s: Scored, request: MatchRequest, now: datetime) -> tuple[str, ...]:
    """The sentences for one match, in display order."""
    out: list[str] = []
    cap = s.service.capacity
    ago = _ago(age_hours(cap, now))
    if cap is None:
        out.append("Capacity has never been verified: ranked after fresh listings")
    elif s.freshness is Freshness.FRESH:
        if rules.has_open_slot(cap):
            out.append(
                f"Fresh capacity: {cap.available} of {cap.maximum} intake slots open, "
                f"verified {ago}"
            )
        else:
            out.append(f"Capacity verified {ago}")
    elif s.tier == 1:
        out.append(f"Capacity is stale (verified {ago}): ranked after fresh listings")
        out.append(f"Last reported {cap.available} of {cap.maximum} intake slots open")
    else:
        out.append(f"Capacity is stale (verified {ago})")
    if cap is not None and cap.next_available_intake is not None:
        days = (cap.next_available_intake - now.date()).days
        if days >= 0:
            out.append(_next_intake(days))
        else:
            out.append("Listed next intake date has passed")
    out.append(_expected(s))
    if request.urgency == "urgent" and s.tier == 0 and s.expected_days <= rules.SAME_WEEK_DAYS:
        out.append("Same-week intake for an urgent referral")
    out.extend(_payment(s, request))
    out.extend(_fit(s, request))
    if s.reach.in_person and s.reach.distance_km is not None:
        d = s.reach.distance_km
        out.append("Less than 1 km away" if d < 1 else f"{math.floor(d + 0.5)} km away")
    if s.reach.telehealth and request.telehealth_state is not None:
        out.append(f"Telehealth licensed in {request.telehealth_state.upper()}")
    out.extend(_track_record(s.observed))
    if cap is not None and s.tier == 2:
        if not cap.accepting_new_patients:
            waitlist = f" (waitlist of {cap.waitlist_length})" if cap.waitlist_length else ""
            out.append(f"Not accepting new patients{waitlist}: ranked last")
        else:
            out.append("No open intake slots: ranked last")
    if s.forced_in:
        out.append("Included so that an option usable without insurance is always offered")
    return tuple(out)


def _ago(hours: float | None) -> str:
    if hours is None:
        return "never"
    if hours < 1:
        return "less than an hour ago"
    if hours < 48:
        n = math.floor(hours + 0.5)
        return f"{n} hour{'s' if n != 1 else ''} ago"
    return f"{math.floor(hours / 24)} days ago"


def _next_intake(days: int) -> str:
    if days == 0:
        return "Next intake today"
    if days == 1:
        return "Next intake tomorrow"
    return f"Next intake in {days} days"


def _expected(s: Scored) -> str:
    n = s.expected_days
    text = f"Expected first appointment in about {n} day{'s' if n != 1 else ''}"
    seen = rules.observed_days(s.observed)
    if seen is not None:
        text += f" (blended with an observed median of {math.floor(seen + 0.5)} days)"
    return text


_NO_INSURANCE_LABELS = {
    PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER: "Community mental health center",
    PracticeType.FQHC: "Federally qualified health center",
}


def _payment(s: Scored, request: MatchRequest) -> list[str]:
    out: list[str] = []
    if rules.covered_directly(request, s.service):
        if request.coverage == "medicaid":
            out.append("Accepts Medicaid")
        elif request.plan is not None:
            out.append(f"Accepts {request.plan.strip()}")
    if s.usable_without_insurance:
        cov = s.service.coverage
        if cov.free:
            label = "Free"
        elif cov.sliding_scale:
            label = "Sliding scale"
        else:
            kind = s.organization.practice_type
            label = _NO_INSURANCE_LABELS.get(kind, "Low cost") if kind else "Low cost"
        out.append(f"{label}: usable without insurance")
    return out


def _fit(s: Scored, request: MatchRequest) -> list[str]:
    out: list[str] = []
    if s.service.pmhc_certified:
        out.append("PMH-C certified clinician")
    if request.language is not None:
        tag = rules.language_match(request.language, s.service.languages)
        if tag is not None:
            out.append(f"Speaks {tag}")
    if request.population is Population.POSTPARTUM and s.service.infant_welcome:
        out.append("Infants welcome in session")
    return out


def _track_record(observed: ObservedBehaviour) -> list[str]:
    if observed.referrals < rules.MIN_OBSERVED_REFERRALS:
        return []
    out: list[str] = []
    window = f"over the last {DEFAULT_WINDOW.days} days"
    hours = observed.median_hours_to_acknowledge
    if hours is not None:
        n = math.floor(hours + 0.5)
        median = "under an hour" if hours < 1 else f"{n} hour{'s' if n != 1 else ''}"
        out.append(f"Acknowledged referrals in a median of {median} {window}")
    if observed.attendance_rate is not None:
        pct = math.floor(observed.attendance_rate * 100 + 0.5)
        out.append(f"{pct}% of scheduled first appointments attended {window}")
    return out
