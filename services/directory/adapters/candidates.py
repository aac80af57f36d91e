"""The SQL side of matching: fetch the services that can fit, pre-ranked, with what ranking needs.

The database applies the hard filters of the rule (level of care, population, language, modality,
coverage, geography by bounding box or telehealth state) and pre-ranks by tier and advertised
days to intake, keeping the best `max(50, 5 x limit)` plus the best few usable without insurance
(for the insurance-agnostic guarantee). `domain.matching.rank` then applies the whole rule
exactly. The pre-rank differs from the final order only through the observed-history blend and
the fit score, which is why a wide margin is kept. Suspended organizations are kept so that the
result can say why they are missing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.directory.adapters.listings import location_from, observed_from, service_from
from services.directory.domain.geo import bounding_box
from services.directory.domain.matching import Candidate, MatchRequest
from services.directory.domain.model import Organization, OrgKind, OrgStatus, PracticeType
from warmlink.db import Connection

NO_INSURANCE = """(s.sliding_scale OR s.free
    OR o.practice_type IN ('community_mental_health_center', 'fqhc'))"""

CANDIDATES = f"""
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by,
       o.name AS org_name, o.status AS org_status, o.practice_type, po.observed
FROM services s
JOIN organizations o ON o.id = s.organization_id AND o.kind = 'practice'
LEFT JOIN capacities c ON c.service_id = s.id
LEFT JOIN practice_observed po ON po.practice_id = s.organization_id
WHERE s.level_of_care = $1
  AND ($2::text IS NULL OR $2 = ANY (s.populations))
  AND ($3::text IS NULL OR EXISTS (
        SELECT 1 FROM unnest(s.languages) AS t(tag)
        WHERE lower(t.tag) = $3 OR lower(t.tag) LIKE $3 || '-%' OR $3 LIKE lower(t.tag) || '-%'))
  AND ($4::text IS NULL OR $4 = ANY (s.modalities))
  AND CASE $5::text
        WHEN 'uninsured' THEN {NO_INSURANCE}
        WHEN 'medicaid' THEN s.accepts_medicaid OR {NO_INSURANCE}
        ELSE $6 = ANY (s.insurance_plans) OR {NO_INSURANCE}
      END
  AND (
    ($7::text IS NOT NULL AND 'telehealth' = ANY (s.modalities) AND $7 = ANY (s.telehealth_states))
    OR ($8::float8 IS NOT NULL AND EXISTS (
        SELECT 1 FROM locations l
        WHERE l.id = ANY (s.location_ids)
          AND l.latitude BETWEEN $8 AND $9 AND l.longitude BETWEEN $10 AND $11))
  )
  AND ($12 OR {NO_INSURANCE})
ORDER BY
  CASE WHEN c.service_id IS NULL THEN 1
       WHEN NOT c.accepting_new_patients OR c.available = 0 THEN 2
       WHEN c.verified_at < $13 THEN 1 ELSE 0 END,
  CASE WHEN c.next_available_intake IS NOT NULL
       THEN greatest(0, c.next_available_intake - $14::date)
       WHEN c.available > 0 THEN 0 ELSE 14 END,
  s.pmhc_certified DESC, s.id
LIMIT $15"""
LOCATIONS = "SELECT * FROM locations WHERE id = ANY($1::text[])"
NO_INSURANCE_KEPT = 5


async def candidates(
    conn: Connection, request: MatchRequest, now: datetime, max_age: timedelta
) -> list[Candidate]:
    box: tuple[float | None, ...] = (None, None, None, None)
    if request.latitude is not None and request.longitude is not None:
        box = bounding_box(request.latitude, request.longitude, request.radius_km)
    args: list[Any] = [
        request.level_of_care.value,
        request.population.value if request.population else None,
        request.language.strip().lower() if request.language else None,
        request.modality.value if request.modality else None,
        request.coverage,
        request.plan.strip().lower() if request.plan else None,
        request.telehealth_state,
        *box,
    ]
    stale_before, today = now - max_age, now.date()
    rows = list(
        await conn.fetch(CANDIDATES, *args, True, stale_before, today, max(50, 5 * request.limit))
    )
    if request.coverage != "uninsured":  # the best few usable without insurance, always
        seen = {r["id"] for r in rows}
        extra = await conn.fetch(CANDIDATES, *args, False, stale_before, today, NO_INSURANCE_KEPT)
        rows += [r for r in extra if r["id"] not in seen]
    return await _assemble(conn, rows)


async def _assemble(conn: Connection, rows: list[asyncpg.Record]) -> list[Candidate]:
    location_ids = sorted({loc for r in rows for loc in r["location_ids"]})
    locations = {r["id"]: location_from(r) for r in await conn.fetch(LOCATIONS, location_ids)}
    found = []
    for r in rows:
        service = service_from(r)
        org = Organization(
            id=r["organization_id"],
            name=r["org_name"],
            kind=OrgKind.PRACTICE,
            status=OrgStatus(r["org_status"]),
            practice_type=PracticeType(r["practice_type"]) if r["practice_type"] else None,
            locations=tuple(locations[i] for i in r["location_ids"] if i in locations),
            services=(service,),
        )
        found.append(Candidate(org, service, observed_from(r["observed"])))
    return found
