"""Matching: which receiving services to offer a referring team, and in what order.

THE RULE (``rank``; the numbers live in ``ranking_rules``):

a. Hard filters. A candidate is excluded, with a reason code in ``MatchResult.excluded``, when the
   first of these fails: organization suspended (``suspended``); organization not a receiving
   practice (``not_a_practice``); service level of care is not the requested one
   (``level_of_care``); the requested population, if any, is not served (``population``); the
   requested language, if any, is not offered, matching BCP 47 tags on subtag boundaries so "en"
   matches "en-US" (``language``); coverage (``coverage``): *plan* needs the plan among the
   service's plans (case-insensitive) OR a service usable without insurance, since a patient with
   a plan can still use a sliding-scale option; *medicaid* needs Medicaid accepted OR usable
   without insurance; *uninsured* needs usable without insurance; the requested modality, if any,
   is not offered (``modality``); geography (``out_of_area``): she can attend in person at one of
   the service's locations within ``radius_km`` (distance <= radius, needs latitude/longitude)
   OR by telehealth with a clinician licensed in ``telehealth_state``.
b. Usable without insurance = sliding scale, or free, or practice type community mental health
   center or FQHC.
c. Tiers. 0 = fresh capacity (verified within ``max_age``, default 7 days) with available > 0
   and accepting new patients; 1 = stale or unknown capacity that is (or may be) open; 2 = no
   open slot (available is 0 or not accepting new patients), whatever its freshness: ranked last.
   Not accepting is a tier, not an exclusion, so a practice with a waitlist stays visible.
d. Expected days to first appointment (integer >= 0). Base: days from ``now.date()`` to
   ``next_available_intake``, never below 0; without that date, 0 if a slot is open (available
   > 0 and accepting), else 14 + 7 * ceil(waitlist_length / max(1, maximum)); with no capacity
   record at all, 14. If at least 5 referrals were observed and their median days to first
   appointment is known, expected = round-half-up((base + observed median) / 2): a blend, as
   advertised dates are promises and observed ones are history. Then stale or unknown capacity
   adds 7 days of uncertainty.
e. Order within a tier: expected days ascending; then fit score descending (PMH-C certified +2,
   requested language offered +1, infant welcome +1 when the population is postpartum, her plan
   taken or Medicaid accepted directly +1); then distance to the nearest location she can attend
   in person, ascending (telehealth-only matches after); then reliability descending; then
   service id. Reliability (from >= 5 observed referrals, else 0) is the sum of three parts, each
   clamped to -1..1 and 0 when unknown: 1 - median hours to acknowledge / 24; 2 * attendance
   rate - 1; 1 - 2 * decline rate. So 0 is neutral: a 24-hour acknowledgement, 50 % attendance,
   50 % declines, or no track record.
f. Urgent requests: within tier 0, services expected within 7 days (same week) come first, and the
   result carries crisis resources: 988 first, then the PSI HelpLine, then the National Maternal
   Mental Health Hotline (non-crisis). Routine requests carry none.
g. Insurance-agnostic guarantee. After sorting and cutting to ``limit``, if no returned match is
   usable without insurance but some eligible candidate is, the best such candidate replaces the
   last returned match (ranks stay 1..n). If no eligible candidate is usable without insurance,
   ``fallback`` holds the PSI HelpLine, so nobody hears "we can't help you".
h. Referral partners established in advance. ``preferred`` names the referring site's preferred
   practices (``partners``). Their eligible services that have or may have an open slot (tier 0
   or 1) come first, in the order of rules c-f, marked ``preferred`` with the reason "Preferred
   partner of your site"; then every other match in its own order, cut to ``limit`` together.
   A partner without an open slot (tier 2) keeps its place and says why it is not first; a
   partner's service at the requested level of care that rule a excludes is listed in
   ``partners_not_fitting`` with the reason in words. Rule g then applies to the whole list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from contracts.resources import Resource
from services.directory.domain import ranking_rules as rules
from services.directory.domain.codes import US_STATES, known_language

# MatchRequest raises it; re-exported for code that knows it from here (it lived here).
from services.directory.domain.errors import InvalidMatchRequest as InvalidMatchRequest
from services.directory.domain.freshness import DEFAULT_MAX_AGE, Freshness, age_hours, freshness
from services.directory.domain.match_reasons import Scored, reasons_for
from services.directory.domain.model import (
    Capacity,
    LevelOfCare,
    Modality,
    ObservedBehaviour,
    Organization,
    Population,
    PracticeType,
    Service,
)
from services.directory.domain.partners import (
    NO_OPEN_SLOT,
    PREFERRED,
    PartnerNotFitting,
    not_fitting,
)
from services.directory.domain.resources import NO_INSURANCE_FALLBACK, URGENT_RESOURCES

CoverageKind = Literal["plan", "medicaid", "uninsured"]
Urgency = Literal["routine", "urgent"]
MAX_RADIUS_KM = 500.0
MAX_LIMIT = 50


@dataclass(frozen=True, kw_only=True)
class MatchRequest:
    """A pre-referral query. It carries no patient identity, only what matching needs."""

    coverage: CoverageKind
    plan: str | None = None  # required when coverage == "plan"
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = 40.0
    telehealth_state: str | None = None  # USPS code
    language: str | None = None  # BCP 47
    level_of_care: LevelOfCare
    modality: Modality | None = None  # None: either
    population: Population | None = None
    urgency: Urgency = "routine"
    limit: int = 10
    preferred: frozenset[str] = frozenset()  # the referring site's partner organization ids

    def leads(self, s: Scored) -> bool:
        """Rule h: a partner's service that has, or may have, an open slot goes first."""
        return s.organization.id in self.preferred and s.tier < 2

    def __post_init__(self) -> None:
        if self.coverage not in ("plan", "medicaid", "uninsured"):
            raise InvalidMatchRequest("/coverage", "must be plan, medicaid or uninsured")
        if self.coverage == "plan" and not (self.plan and self.plan.strip()):
            raise InvalidMatchRequest("/plan", "is required when coverage is plan")
        if not isinstance(self.level_of_care, LevelOfCare):
            raise InvalidMatchRequest("/level_of_care", "is not a known level of care")
        if (self.latitude is None) != (self.longitude is None):
            missing = "/latitude" if self.latitude is None else "/longitude"
            raise InvalidMatchRequest(missing, "latitude and longitude go together")
        if self.latitude is not None and not _within(self.latitude, 90.0):
            raise InvalidMatchRequest("/latitude", "must be between -90 and 90")
        if self.longitude is not None and not _within(self.longitude, 180.0):
            raise InvalidMatchRequest("/longitude", "must be between -180 and 180")
        state = self.telehealth_state
        if state is not None and state.upper() not in US_STATES:
            raise InvalidMatchRequest("/telehealth_state", "must be a two-letter USPS code")
        if self.latitude is None and state is None:
            raise InvalidMatchRequest("/latitude", "give a location or a telehealth state")
        if not (math.isfinite(self.radius_km) and 0 < self.radius_km <= MAX_RADIUS_KM):
            raise InvalidMatchRequest("/radius_km", f"must be > 0 and <= {MAX_RADIUS_KM:g}")
        if self.language is not None and not known_language(self.language.strip()):
            raise InvalidMatchRequest("/language", "must be a BCP 47 tag such as en or es")
        if self.modality is not None and not isinstance(self.modality, Modality):
            raise InvalidMatchRequest("/modality", "must be in_person or telehealth")
        if self.population is not None and not isinstance(self.population, Population):
            raise InvalidMatchRequest("/population", "is not a known population")
        if self.urgency not in ("routine", "urgent"):
            raise InvalidMatchRequest("/urgency", "must be routine or urgent")
        if isinstance(self.limit, bool) or not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidMatchRequest("/limit", f"must be between 1 and {MAX_LIMIT}")


@dataclass(frozen=True)
class Candidate:
    organization: Organization
    service: Service
    observed: ObservedBehaviour = field(default_factory=ObservedBehaviour)


# Built per request (ten or more each time): slots without `frozen`, whose per-field
# object.__setattr__ made construction several times slower. Treat as read-only.
@dataclass(slots=True)
class Match:
    organization_id: str
    organization_name: str
    practice_type: PracticeType | None
    service_id: str
    service_name: str
    level_of_care: LevelOfCare
    rank: int  # 1-based
    tier: int
    expected_days_to_first_appointment: int
    capacity: Capacity | None
    freshness: Freshness
    capacity_age_hours: float | None
    distance_km: float | None
    telehealth: bool  # she can attend by telehealth in her state
    usable_without_insurance: bool
    reasons: tuple[str, ...]
    preferred: bool = False  # one of the referring site's partners (rule h)


@dataclass(frozen=True)
class MatchResult:
    matches: tuple[Match, ...]
    crisis_resources: tuple[Resource, ...] = ()
    fallback: tuple[Resource, ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()  # (service_id, reason code), by service id
    partners_not_fitting: tuple[PartnerNotFitting, ...] = ()  # by service id


def rank(
    request: MatchRequest,
    candidates: Iterable[Candidate],
    now: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> MatchResult:
    """Filter, tier and order the candidates by the module's rule; pure and deterministic."""
    eligible: list[Scored] = []
    excluded: list[tuple[str, str]] = []
    misses: list[PartnerNotFitting] = []
    for cand in candidates:
        assessed = assess(request, cand, now, max_age)
        if isinstance(assessed, str):
            excluded.append((cand.service.id, assessed))
            misses.extend(partner_miss(request, cand, assessed))
        else:
            eligible.append(assessed)
    return choose(request, eligible, excluded, now, misses)


def partner_miss(request: MatchRequest, cand: Candidate, reason: str) -> list[PartnerNotFitting]:
    """Rule h: an excluded service of one of the site's partners, said in words (or nothing)."""
    org, svc = cand.organization, cand.service
    if org.id not in request.preferred:
        return []
    miss = not_fitting(org.id, org.name, svc.id, svc.name, reason)
    return [] if miss is None else [miss]


def order_floor(
    capacity: Capacity | None, observed: ObservedBehaviour, now: datetime, max_age: timedelta
) -> tuple[int, int]:
    """(tier, expected days): the head of every eligible candidate's sort key.

    It does not depend on the request, so an index can visit candidates in this order and stop
    once the answer cannot change (``match_search``). Within a tier, rule f's same-week bucket
    rises with expected days, so ordering by (tier, days) never contradicts the full key.
    """
    fresh = freshness(capacity, now, max_age)
    return rules.tier(capacity, fresh), rules.expected_days(capacity, fresh, observed, now.date())


def assess(
    request: MatchRequest, cand: Candidate, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE
) -> Scored | str:
    """One candidate under rules a-f: scored when eligible, else the exclusion reason code."""
    org, svc = cand.organization, cand.service
    where = rules.reach(request, org, svc)
    reason = rules.exclusion_reason(request, org, svc, where)
    if reason is not None:
        return reason
    fresh = freshness(svc.capacity, now, max_age)
    tier, days = order_floor(svc.capacity, cand.observed, now, max_age)  # the key's head
    same_week = tier == 0 and days <= rules.SAME_WEEK_DAYS
    # Rule f. Today expected-days-ascending already implies it; the explicit bucket keeps
    # same-week first for urgent requests even if rule e's order is ever changed.
    urgent_first = 0 if request.urgency == "urgent" and same_week else 1
    key = (
        tier,
        urgent_first,
        days,
        -rules.fit_score(request, svc),
        where.distance_km if where.in_person and where.distance_km is not None else math.inf,
        -rules.reliability(cand.observed),
        svc.id,
        org.id,
    )
    uwi = rules.usable_without_insurance(org, svc)
    return Scored(org, svc, cand.observed, where, fresh, tier, days, uwi, key)


def choose(
    request: MatchRequest,
    eligible: list[Scored],
    excluded: Iterable[tuple[str, str]],
    now: datetime,
    partner_misses: Iterable[PartnerNotFitting] = (),
) -> MatchResult:
    """Rules e-h over assessed candidates: order, partners first, cut to ``limit``, keep an
    uninsured option."""
    ordered = sorted(eligible, key=lambda s: s.key)
    leading = [s for s in ordered if request.leads(s)]
    eligible = leading + [s for s in ordered if not request.leads(s)]
    chosen = eligible[: request.limit]
    if not any(s.usable_without_insurance for s in chosen):
        best = next((s for s in eligible if s.usable_without_insurance), None)
        if best is not None:
            chosen = [*chosen[: request.limit - 1], best.forced()]
    matches = tuple(_match(s, i, request, now) for i, s in enumerate(chosen, start=1))
    return MatchResult(
        matches=matches,
        crisis_resources=URGENT_RESOURCES if request.urgency == "urgent" else (),
        fallback=() if any(m.usable_without_insurance for m in matches) else NO_INSURANCE_FALLBACK,
        excluded=tuple(sorted(excluded)),
        partners_not_fitting=tuple(sorted(partner_misses, key=lambda m: m.service_id)),
    )


def _match(s: Scored, position: int, request: MatchRequest, now: datetime) -> Match:
    capacity = s.service.capacity
    return Match(
        organization_id=s.organization.id,
        organization_name=s.organization.name,
        practice_type=s.organization.practice_type,
        service_id=s.service.id,
        service_name=s.service.name,
        level_of_care=s.service.level_of_care,
        rank=position,
        tier=s.tier,
        expected_days_to_first_appointment=s.expected_days,
        capacity=capacity,
        freshness=s.freshness,
        capacity_age_hours=age_hours(capacity, now),
        distance_km=s.reach.distance_km,
        telehealth=s.reach.telehealth,
        usable_without_insurance=s.usable_without_insurance,
        reasons=_partner_reason(s, request) + reasons_for(s, request, now),
        preferred=s.organization.id in request.preferred,
    )


def _partner_reason(s: Scored, request: MatchRequest) -> tuple[str, ...]:
    if s.organization.id not in request.preferred:
        return ()
    return (PREFERRED,) if request.leads(s) else (NO_OPEN_SLOT,)


def _within(value: float, bound: float) -> bool:
    return math.isfinite(value) and -bound <= value <= bound
