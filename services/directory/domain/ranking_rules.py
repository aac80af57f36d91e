"""The individual rules behind :func:`services.directory.domain.matching.rank`.

Each function implements one lettered clause of the rule documented in ``matching``'s module
docstring; the constants are the numbers that docstring quotes. Kept apart so every clause can be
tested on its own and ``matching`` reads as the rule, not the arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from services.directory.domain.freshness import Freshness
from services.directory.domain.geo import distance_km
from services.directory.domain.model import (
    Capacity,
    Modality,
    ObservedBehaviour,
    Organization,
    OrgStatus,
    Population,
    PracticeType,
    Service,
)

if TYPE_CHECKING:  # only for annotations: matching imports this module
    from services.directory.domain.matching import MatchRequest

NO_INSURANCE_PRACTICE_TYPES = frozenset(
    {PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER, PracticeType.FQHC}
)
MIN_OBSERVED_REFERRALS = 5  # fewer referrals than this are anecdotes, not a track record
NO_SLOT_BASE_DAYS = 14  # no open slot and no intake date: assume two weeks...
WAITLIST_ROUND_DAYS = 7  # ...plus a week per full round of the waitlist through `maximum`
UNCERTAINTY_DAYS = 7  # stale or unknown capacity: the advertised date may be gone
SAME_WEEK_DAYS = 7
ACK_TARGET_HOURS = 24.0  # "you'll hear from them within 24 hours"


def usable_without_insurance(organization: Organization, service: Service) -> bool:
    """Rule b: sliding scale, free, or a community mental health center / FQHC."""
    return (
        service.coverage.sliding_scale
        or service.coverage.free
        or organization.practice_type in NO_INSURANCE_PRACTICE_TYPES
    )


def language_match(requested: str, offered: frozenset[str]) -> str | None:
    """The offered BCP 47 tag matching ``requested`` on subtag boundaries, or None.

    Either side may be the shorter: "en" matches "en-US" and "en-US" matches "en" (she speaks
    English, the clinician speaks English), but "en" never matches "eng".
    """
    want = requested.strip().lower()
    found = None
    for tag in offered:  # the first in sorted order, without sorting: this runs per candidate
        have = tag.strip().lower()
        if have == want or have.startswith(want + "-") or want.startswith(have + "-"):
            found = tag if found is None else min(found, tag)
    return found


def covered_directly(request: MatchRequest, service: Service) -> bool:
    """The service takes her plan (case-insensitive) or, for Medicaid, accepts Medicaid."""
    if request.coverage == "plan" and request.plan is not None:
        want = request.plan.strip().lower()
        return any(p.lower() == want for p in service.coverage.insurance_plans)
    if request.coverage == "medicaid":
        return service.coverage.accepts_medicaid
    return False


@dataclass(slots=True)  # per candidate per request: see `Match` for why not frozen
class Reach:
    """How the patient can get to the service: in person within the radius, and/or telehealth."""

    in_person: bool
    telehealth: bool
    distance_km: float | None  # nearest in-person location, when both ends have coordinates


def reach(request: MatchRequest, organization: Organization, service: Service) -> Reach:
    """Rule a (geography and modality): which ways of attending work for this request."""
    distance: float | None = None
    if (
        Modality.IN_PERSON in service.modalities
        and request.latitude is not None
        and request.longitude is not None
    ):
        wanted = service.location_ids
        lat, lon = request.latitude, request.longitude
        found = [
            distance_km(lat, lon, loc.latitude, loc.longitude)
            for loc in organization.locations
            if loc.id in wanted
        ]
        distance = min(found) if found else None
    in_person = (
        request.modality in (None, Modality.IN_PERSON)
        and distance is not None
        and distance <= request.radius_km
    )
    telehealth = (
        request.modality in (None, Modality.TELEHEALTH)
        and Modality.TELEHEALTH in service.modalities
        and request.telehealth_state is not None
        and _licensed_in(request.telehealth_state, service.telehealth_states)
    )
    return Reach(in_person, telehealth, distance)


def _licensed_in(state: str, states: frozenset[str]) -> bool:
    want = state.upper()
    return any(s.upper() == want for s in states)


def exclusion_reason(
    request: MatchRequest, organization: Organization, service: Service, where: Reach
) -> str | None:
    """Rule a: the first hard filter the service fails, as a reason code, or None."""
    if organization.status is OrgStatus.SUSPENDED:
        return "suspended"
    if not organization.is_practice:
        return "not_a_practice"
    if service.level_of_care is not request.level_of_care:
        return "level_of_care"
    if request.population is not None and request.population not in service.populations:
        return "population"
    if request.language is not None and language_match(request.language, service.languages) is None:
        return "language"
    if not (covered_directly(request, service) or usable_without_insurance(organization, service)):
        return "coverage"
    if request.modality is not None and request.modality not in service.modalities:
        return "modality"
    if not (where.in_person or where.telehealth):
        return "out_of_area"
    return None


def has_open_slot(capacity: Capacity) -> bool:
    return capacity.available > 0 and capacity.accepting_new_patients


def tier(capacity: Capacity | None, fresh: Freshness) -> int:
    """Rule c: 0 fresh with an open slot, 1 stale/unknown, 2 no open slot (whatever freshness)."""
    if capacity is not None and not has_open_slot(capacity):
        return 2
    return 0 if fresh is Freshness.FRESH else 1


def base_days(capacity: Capacity | None, today: date) -> int:
    """Rule d, before blending: days until intake from what the practice advertises."""
    if capacity is None:
        return NO_SLOT_BASE_DAYS  # nothing known: as if no slot and no waitlist
    if capacity.next_available_intake is not None:
        return max(0, (capacity.next_available_intake - today).days)
    if has_open_slot(capacity):
        return 0
    rounds = math.ceil(max(0, capacity.waitlist_length) / max(1, capacity.maximum))
    return NO_SLOT_BASE_DAYS + WAITLIST_ROUND_DAYS * rounds


def observed_days(observed: ObservedBehaviour) -> float | None:
    """The observed median days to first appointment, when it rests on enough referrals."""
    if observed.referrals < MIN_OBSERVED_REFERRALS:
        return None
    return observed.median_days_to_first_appointment


def expected_days(
    capacity: Capacity | None, fresh: Freshness, observed: ObservedBehaviour, today: date
) -> int:
    """Rule d: advertised days blended half-and-half with observed days, plus uncertainty."""
    days = base_days(capacity, today)
    seen = observed_days(observed)
    if seen is not None:
        days = math.floor((days + max(0.0, seen)) / 2 + 0.5)  # round half up
    if fresh is not Freshness.FRESH:
        days += UNCERTAINTY_DAYS
    return days


def fit_score(request: MatchRequest, service: Service) -> int:
    """Rule e: PMH-C +2, language +1, infant welcome +1 (postpartum), direct coverage +1."""
    score = 2 if service.pmhc_certified else 0
    if request.language is not None and language_match(request.language, service.languages):
        score += 1
    if request.population is Population.POSTPARTUM and service.infant_welcome:
        score += 1
    if covered_directly(request, service):
        score += 1
    return score


def reliability(observed: ObservedBehaviour) -> float:
    """Rule e: a score in -3..3 from the track record, 0 (neutral) for anything unknown.

    Sum of three parts, each clamped to -1..1: acknowledgement ``1 - hours / 24`` (meeting the
    24-hour promise exactly is neutral), attendance ``2 * rate - 1`` (50 % neutral) and declines
    ``1 - 2 * rate`` (50 % neutral). Fewer than ``MIN_OBSERVED_REFERRALS`` referrals: 0.
    """
    if observed.referrals < MIN_OBSERVED_REFERRALS:
        return 0.0
    parts = []
    if observed.median_hours_to_acknowledge is not None:
        parts.append(1.0 - observed.median_hours_to_acknowledge / ACK_TARGET_HOURS)
    if observed.attendance_rate is not None:
        parts.append(2.0 * observed.attendance_rate - 1.0)
    if observed.decline_rate is not None:
        parts.append(1.0 - 2.0 * observed.decline_rate)
    return sum(max(-1.0, min(1.0, p)) for p in parts)
