"""An in-memory search over every receiving service that answers exactly as ``rank`` would.

``rank`` over the whole directory would assess 10,000 services per request. Instead services
sit in buckets, by (level of care, telehealth state) and by (level of care, grid cell of a
location), each bucket kept sorted by ``order_floor`` (tier, expected days): the head of every
sort key, which does not depend on the request. A search merges the buckets the request can
reach, in that order, assesses each service with the domain's own ``assess`` and stops once the
answer cannot change:

* it has ``limit`` eligible services and at least one usable without insurance (rule g), or has
  run out of services; then
* it finishes the (tier, days) group it is in, because later parts of the key (fit, distance,
  reliability) can reorder services within a group but never across groups.

Every service that could be in the answer has a floor no greater than the last one assessed, so
the result equals ``rank`` over the whole directory (a property test checks this).

A bucket's order is valid for one UTC day and until the first of its fresh listings turns
stale, then it is sorted again when next read. A changed service is taken out and put back in
place, with its floor as of when the bucket was sorted (the order's own moment in time).
A site's partners (rule h) are assessed first, each of their services wherever it sits:
those that lead go first whatever their floor, and the walk counts only the rest.
A cheap pre-filter (``_filter``) skips services that ``assess`` would certainly exclude, so
they are not listed in ``excluded``; ``excluded`` names the services the search looked at.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from services.directory.domain import ranking_rules as rules
from services.directory.domain.geo import bounding_box
from services.directory.domain.match_reasons import Scored
from services.directory.domain.matching import (
    Candidate,
    MatchRequest,
    MatchResult,
    assess,
    choose,
    order_floor,
    partner_miss,
)
from services.directory.domain.model import Modality
from services.directory.domain.partners import PartnerNotFitting

CELL_DEGREES = 0.25
BucketKey = tuple[str, str, str] | tuple[str, str, int, int]
Floor = tuple[int, int, str]  # tier, expected days, service id
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """A candidate plus the facts the pre-filter checks, computed once when it is indexed."""

    candidate: Candidate
    populations: frozenset[str]
    languages: tuple[str, ...]  # lower-case tags
    modalities: frozenset[str]
    plans: frozenset[str]
    medicaid: bool
    no_insurance: bool
    buckets: tuple[BucketKey, ...]

    @property
    def service_id(self) -> str:
        return self.candidate.service.id


@dataclass
class Bucket:
    """Services reachable one way; ``order`` is None until first read (then kept in place)."""

    ids: set[str] = field(default_factory=set)
    order: list[Floor] | None = None
    day: date | None = None
    sorted_at: datetime = NEVER
    valid_until: datetime = NEVER
    max_age: timedelta = timedelta(0)

    def valid(self, now: datetime, max_age: timedelta) -> bool:
        return (
            self.order is not None
            and self.day == now.date()
            and self.sorted_at <= now <= self.valid_until
            and self.max_age == max_age
        )

    def sort(self, entries: dict[str, Entry], now: datetime, max_age: timedelta) -> None:
        self.order, self.day, self.sorted_at = [], now.date(), now
        self.valid_until, self.max_age = NEVER, max_age
        for sid in self.ids:
            self.order.append(self._floor(entries[sid].candidate))
        self.order.sort()

    def add(self, candidate: Candidate) -> None:
        """A new or changed service, placed in the order as of when it was sorted."""
        self.ids.add(candidate.service.id)
        if self.order is not None:
            insort(self.order, self._floor(candidate))

    def discard(self, candidate: Candidate) -> None:
        self.ids.discard(candidate.service.id)
        if self.order is not None:
            floor = self._floor(candidate)  # the same as when it was placed: same inputs
            at = bisect_left(self.order, floor)
            if at < len(self.order) and self.order[at] == floor:
                del self.order[at]
            else:
                self.order = None

    def _floor(self, candidate: Candidate) -> Floor:
        """Its (tier, days) at ``sorted_at``; also the order's end of validity it implies."""
        capacity = candidate.service.capacity
        now, max_age = self.sorted_at, self.max_age
        tier, days = order_floor(capacity, candidate.observed, now, max_age)
        if capacity is not None and now - capacity.verified_at <= max_age:
            self.valid_until = min(self.valid_until, capacity.verified_at + max_age)
        return tier, days, candidate.service.id


def cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def entry_for(candidate: Candidate) -> Entry:
    s, org = candidate.service, candidate.organization
    level = s.level_of_care.value
    places = {loc.id: loc for loc in org.locations}
    keys: set[BucketKey] = set()
    if Modality.IN_PERSON in s.modalities:
        for i in s.location_ids:
            if i in places:
                keys.add(("cell", level, *cell(places[i].latitude, places[i].longitude)))
    if Modality.TELEHEALTH in s.modalities:
        keys |= {("state", level, st.upper()) for st in s.telehealth_states}
    return Entry(
        candidate=candidate,
        populations=frozenset(s.populations),
        languages=tuple(t.strip().lower() for t in s.languages),
        modalities=frozenset(s.modalities),
        plans=frozenset(p.lower() for p in s.coverage.insurance_plans),
        medicaid=s.coverage.accepts_medicaid,
        no_insurance=rules.usable_without_insurance(org, s),
        buckets=tuple(sorted(keys, key=str)),
    )


class ServiceIndex:
    """Services by bucket, each bucket sorted lazily by ``order_floor``."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._buckets: dict[BucketKey, Bucket] = {}
        self._by_org: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def services_of(self, organization_id: str) -> set[str]:
        return set(self._by_org.get(organization_id, ()))

    def put(self, candidate: Candidate) -> None:
        entry = entry_for(candidate)
        self.remove(entry.service_id)
        self._entries[entry.service_id] = entry
        self._by_org.setdefault(candidate.organization.id, set()).add(entry.service_id)
        for key in entry.buckets:
            self._buckets.setdefault(key, Bucket()).add(candidate)

    def remove(self, service_id: str) -> None:
        old = self._entries.pop(service_id, None)
        if old is None:
            return
        self._by_org.get(old.candidate.organization.id, set()).discard(service_id)
        for key in old.buckets:
            self._buckets[key].discard(old.candidate)

    # -- search ----------------------------------------------------------------------------------

    def match(self, request: MatchRequest, now: datetime, max_age: timedelta) -> MatchResult:
        """The same answer as ``rank(request, <every service>, now, max_age)``, found early."""
        passes = _filter(request)
        excluded: list[tuple[str, str]] = []
        misses: list[PartnerNotFitting] = []
        # Rule h: the site's partners are few; each of their services is assessed whatever
        # bucket it sits in, so a partner that does not fit can say why.
        partners: dict[str, Scored | str] = {}
        for sid in sorted(s for org in request.preferred for s in self._by_org.get(org, ())):
            candidate = self._entries[sid].candidate
            partners[sid] = assessed = assess(request, candidate, now, max_age)
            if isinstance(assessed, str):
                excluded.append((sid, assessed))
                misses.extend(partner_miss(request, candidate, assessed))
        # Partners that lead are placed before the rest whatever their floor; the rest (a
        # partner without an open slot among them) count towards the stop as the walk meets them.
        leading = [s for s in partners.values() if not isinstance(s, str) and request.leads(s)]
        eligible: list[Scored] = list(leading)
        has_uninsured_option = any(s.usable_without_insurance for s in leading)
        seen: set[str] = {s.service.id for s in leading}
        stop_at: tuple[int, int] | None = None
        others = 0
        for tier, days, sid in self._in_floor_order(request, now, max_age):
            if stop_at is not None and (tier, days) > stop_at:
                break
            if sid in seen:
                continue
            seen.add(sid)
            if sid in partners:
                assessed = partners[sid]
            else:
                entry = self._entries[sid]
                if not passes(entry):
                    continue
                assessed = assess(request, entry.candidate, now, max_age)
                if isinstance(assessed, str):
                    excluded.append((sid, assessed))
            if isinstance(assessed, str):
                continue
            eligible.append(assessed)
            others += 1
            has_uninsured_option = has_uninsured_option or assessed.usable_without_insurance
            if stop_at is None and others >= request.limit and has_uninsured_option:
                stop_at = (tier, days)
        return choose(request, eligible, excluded, now, misses)

    def _in_floor_order(
        self, request: MatchRequest, now: datetime, max_age: timedelta
    ) -> Iterator[Floor]:
        orders = [self._sorted(key, now, max_age) for key in self._reachable(request)]
        return heapq.merge(*[o for o in orders if o])

    def _reachable(self, request: MatchRequest) -> Iterable[BucketKey]:
        level = request.level_of_care.value
        if request.telehealth_state:
            key: BucketKey = ("state", level, request.telehealth_state.upper())
            if key in self._buckets:
                yield key
        if request.latitude is not None and request.longitude is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(
                request.latitude, request.longitude, request.radius_km
            )
            lat0, lon0 = cell(min_lat, min_lon)
            lat1, lon1 = cell(max_lat, max_lon)
            for lat in range(lat0, lat1 + 1):
                for lon in range(lon0, lon1 + 1):
                    if ("cell", level, lat, lon) in self._buckets:
                        yield ("cell", level, lat, lon)

    def _sorted(self, key: BucketKey, now: datetime, max_age: timedelta) -> list[Floor]:
        bucket = self._buckets[key]
        if not bucket.valid(now, max_age):
            bucket.sort(self._entries, now, max_age)
        assert bucket.order is not None
        return bucket.order


def _filter(r: MatchRequest) -> Callable[[Entry], bool]:
    """Necessary conditions of rule a, with the request's values looked up once (a hot loop).

    Only ever skips services that ``assess`` would exclude; ``assess`` decides the rest.
    """
    population = r.population.value if r.population is not None else None
    modality = r.modality.value if r.modality is not None else None
    want = r.language.strip().lower() if r.language else None
    prefix = want + "-" if want else ""
    coverage, plan = r.coverage, (r.plan or "").strip().lower()

    def passes(e: Entry) -> bool:
        if population is not None and population not in e.populations:
            return False
        if modality is not None and modality not in e.modalities:
            return False
        if want is not None and not any(
            t == want or t.startswith(prefix) or want.startswith(t + "-") for t in e.languages
        ):
            return False
        if coverage == "uninsured":
            return e.no_insurance
        if coverage == "medicaid":
            return e.medicaid or e.no_insurance
        return e.no_insurance or plan in e.plans

    return passes
