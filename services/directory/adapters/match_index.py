"""An in-memory index of every receiving service, for matching at thousands of requests a second.

PostgreSQL stays the only source of truth: the index is loaded from it at start, reloads exactly
what changed when the database notifies (`directory_changed`, sent on commit by triggers), and
reloads everything every few minutes in case a notification was lost (e.g. a dropped
connection). Lookups start from (level of care, telehealth state) or (level of care, grid cell)
and a cheap pre-filter and pre-rank that mirror the database version (`candidates.py`); the
domain's `rank` then applies the whole rule exactly to the few that remain.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.directory.adapters.listings import location_from, observed_from, service_from
from services.directory.domain.geo import bounding_box
from services.directory.domain.matching import Candidate, MatchRequest
from services.directory.domain.model import (
    Modality,
    Organization,
    OrgKind,
    OrgStatus,
    PracticeType,
)

log = logging.getLogger(__name__)

CELL_DEGREES = 0.25
FULL_RELOAD_S = 300.0
BATCH_WINDOW_S = 0.05
NO_INSURANCE_TYPES = {PracticeType.COMMUNITY_MENTAL_HEALTH_CENTER, PracticeType.FQHC}
NO_INSURANCE_KEPT = 5

SERVICES = """
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by,
       o.name AS org_name, o.status AS org_status, o.practice_type, po.observed
FROM services s
JOIN organizations o ON o.id = s.organization_id AND o.kind = 'practice'
LEFT JOIN capacities c ON c.service_id = s.id
LEFT JOIN practice_observed po ON po.practice_id = s.organization_id
WHERE $1::text[] IS NULL OR s.id = ANY ($1) OR s.organization_id = ANY ($2)"""
LOCATIONS = "SELECT * FROM locations WHERE organization_id = ANY ($1::text[])"


@dataclass(frozen=True)
class Entry:
    """A candidate plus the facts the pre-filter checks, computed once per reload."""

    candidate: Candidate
    populations: frozenset[str]
    languages: tuple[str, ...]  # lower-case tags
    modalities: frozenset[str]
    plans: frozenset[str]
    medicaid: bool
    no_insurance: bool
    cells: tuple[tuple[int, int], ...]
    states: tuple[str, ...]
    # for the pre-rank
    service_id: str
    has_capacity: bool
    open: bool  # accepting new patients with a slot available
    any_available: bool
    verified_at: datetime
    next_intake: int | None  # date ordinal
    not_pmhc: bool


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / CELL_DEGREES), math.floor(lon / CELL_DEGREES)


def _entry(candidate: Candidate) -> Entry:
    s, org = candidate.service, candidate.organization
    cap = s.capacity
    places = {loc.id: loc for loc in org.locations}
    in_person = Modality.IN_PERSON in s.modalities
    cells = tuple(
        {_cell(places[i].latitude, places[i].longitude) for i in s.location_ids if i in places}
    )
    telehealth = Modality.TELEHEALTH in s.modalities
    return Entry(
        candidate=candidate,
        populations=frozenset(s.populations),
        languages=tuple(t.lower() for t in s.languages),
        modalities=frozenset(s.modalities),
        plans=frozenset(p.lower() for p in s.coverage.insurance_plans),
        medicaid=s.coverage.accepts_medicaid,
        no_insurance=s.coverage.sliding_scale
        or s.coverage.free
        or org.practice_type in NO_INSURANCE_TYPES,
        cells=cells if in_person else (),
        states=tuple(st.upper() for st in s.telehealth_states) if telehealth else (),
        service_id=s.id,
        has_capacity=cap is not None,
        open=cap is not None and cap.accepting_new_patients and cap.available > 0,
        any_available=cap is not None and cap.available > 0,
        verified_at=cap.verified_at if cap is not None else datetime.min.replace(tzinfo=UTC),
        next_intake=cap.next_available_intake.toordinal()
        if cap is not None and cap.next_available_intake is not None
        else None,
        not_pmhc=not s.pmhc_certified,
    )


class MatchIndex:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._entries: dict[str, Entry] = {}
        self._by_state: dict[tuple[str, str], set[str]] = {}
        self._by_cell: dict[tuple[str, int, int], set[str]] = {}
        self._by_org: dict[str, set[str]] = {}
        self._pending: set[str] = set()
        self._wake = asyncio.Event()

    def __len__(self) -> int:
        return len(self._entries)

    # -- loading -------------------------------------------------------------------------------

    async def reload(
        self, services: list[str] | None = None, orgs: list[str] | None = None
    ) -> None:
        """Reload the given services and organizations (everything when both are None)."""
        everything = services is None and orgs is None
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(SERVICES, None if everything else services or [], orgs or [])
            org_ids = sorted({r["organization_id"] for r in rows})
            locations = await conn.fetch(LOCATIONS, org_ids)
        fresh = _assemble(rows, locations)
        if everything:
            self._entries, self._by_state, self._by_cell, self._by_org = {}, {}, {}, {}
        else:  # drop what was asked about first: a service may have moved or lost its org
            gone = set(services or ())
            for org in orgs or ():
                gone |= self._by_org.get(org, set())
            for sid in gone:
                self._remove(sid)
        for candidate in fresh:
            self._add(_entry(candidate))

    def _add(self, entry: Entry) -> None:
        sid, level = entry.candidate.service.id, entry.candidate.service.level_of_care.value
        self._remove(sid)
        self._entries[sid] = entry
        self._by_org.setdefault(entry.candidate.organization.id, set()).add(sid)
        for state in entry.states:
            self._by_state.setdefault((level, state), set()).add(sid)
        for lat, lon in entry.cells:
            self._by_cell.setdefault((level, lat, lon), set()).add(sid)

    def _remove(self, sid: str) -> None:
        old = self._entries.pop(sid, None)
        if old is None:
            return
        level = old.candidate.service.level_of_care.value
        self._by_org.get(old.candidate.organization.id, set()).discard(sid)
        for state in old.states:
            self._by_state.get((level, state), set()).discard(sid)
        for lat, lon in old.cells:
            self._by_cell.get((level, lat, lon), set()).discard(sid)

    # -- following changes -----------------------------------------------------------------------

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        self._pending.add(str(payload))
        self._wake.set()

    async def follow(self) -> None:
        """Apply change notifications in small batches; reload everything now and then."""
        async with self._pool.acquire() as conn:
            await conn.add_listener("directory_changed", self._notified)
            try:
                while True:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), FULL_RELOAD_S)
                    await asyncio.sleep(BATCH_WINDOW_S)  # let a burst of commits accumulate
                    self._wake.clear()
                    pending, self._pending = self._pending, set()
                    try:
                        await self._apply(pending)
                    except (OSError, asyncpg.PostgresError) as exc:
                        log.warning("match index reload failed", extra={"error": repr(exc)})
                        self._pending |= pending or {"all:"}
                        await asyncio.sleep(1)
            finally:
                await conn.remove_listener("directory_changed", self._notified)

    async def _apply(self, pending: set[str]) -> None:
        if not pending or len(pending) > 500 or "all:" in pending:
            await self.reload()
            return
        services = [p.split(":", 1)[1] for p in pending if p.startswith("service:")]
        orgs = [p.split(":", 1)[1] for p in pending if p.startswith("org:")]
        await self.reload(services, orgs)

    # -- lookup --------------------------------------------------------------------------------

    def candidates(
        self, request: MatchRequest, now: datetime, max_age: timedelta
    ) -> list[Candidate]:
        """Services that pass the cheap filters, pre-ranked; `rank` decides the rest."""
        level = request.level_of_care.value
        ids: set[str] = set()
        if request.telehealth_state:
            ids |= self._by_state.get((level, request.telehealth_state.upper()), set())
        if request.latitude is not None and request.longitude is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(
                request.latitude, request.longitude, request.radius_km
            )
            lat0, lon0 = _cell(min_lat, min_lon)
            lat1, lon1 = _cell(max_lat, max_lon)
            for lat in range(lat0, lat1 + 1):
                for lon in range(lon0, lon1 + 1):
                    ids |= self._by_cell.get((level, lat, lon), set())
        passes = _filter(request)
        passing = [e for e in (self._entries[i] for i in ids) if passes(e)]
        stale_before, today = now - max_age, now.date().toordinal()
        keep = max(50, 5 * request.limit)
        best = heapq.nsmallest(keep, passing, key=lambda e: _prerank(e, stale_before, today))
        chosen = {e.candidate.service.id for e in best}
        extra = heapq.nsmallest(
            NO_INSURANCE_KEPT,
            (e for e in passing if e.no_insurance and e.candidate.service.id not in chosen),
            key=lambda e: _prerank(e, stale_before, today),
        )
        return [e.candidate for e in best + extra]


def _filter(r: MatchRequest) -> Callable[[Entry], bool]:
    """The cheap filters for one request, with its values looked up once (a hot loop)."""
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


def _prerank(e: Entry, stale_before: datetime, today: int) -> tuple[int, int, bool, str]:
    """Tier and advertised days, as the domain's rule c and d compute them before blending."""
    if not e.has_capacity:
        return 1, 14, e.not_pmhc, e.service_id
    tier = 2 if not e.open else (1 if e.verified_at < stale_before else 0)
    if e.next_intake is not None:
        days = max(0, e.next_intake - today)
    else:
        days = 0 if e.any_available else 14
    return tier, days, e.not_pmhc, e.service_id


def _assemble(
    rows: Iterable[asyncpg.Record], locations: Iterable[asyncpg.Record]
) -> list[Candidate]:
    places: dict[str, list[Any]] = {}
    for r in locations:
        places.setdefault(r["organization_id"], []).append(location_from(r))
    found = []
    for r in rows:
        service = service_from(r)
        org = Organization(
            id=r["organization_id"],
            name=r["org_name"],
            kind=OrgKind.PRACTICE,
            status=OrgStatus(r["org_status"]),
            practice_type=PracticeType(r["practice_type"]) if r["practice_type"] else None,
            locations=tuple(places.get(r["organization_id"], ())),
            services=(service,),
        )
        found.append(Candidate(org, service, observed_from(r["observed"])))
    return found
