"""The SQL side of matching: fetch the services that can fit, pre-ranked, with what ranking needs.

The database applies the hard filters of the rule (level of care, population, language, modality,
coverage, and geography through the `service_reach` index table: nearby locations or telehealth
licensure in her state) and pre-ranks by tier and advertised days to intake. It keeps the best
`max(50, 5 x limit)` plus the best few usable without insurance (for the insurance-agnostic
guarantee), in one statement; only those rows are fetched whole. `domain.matching.rank` then
applies the whole rule exactly. The pre-rank differs from the final order only through the
observed-history blend and the fit score, which is why a wide margin is kept. Suspended
organizations are kept so that the result can say why they are missing.
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
WITH reach AS (
    SELECT service_id FROM service_reach
    WHERE $7::text IS NOT NULL AND level_of_care = $1 AND state = $7
    UNION
    SELECT service_id FROM service_reach
    WHERE $8::float8 IS NOT NULL AND level_of_care = $1
      AND latitude BETWEEN $8 AND $9 AND longitude BETWEEN $10 AND $11
),
eligible AS MATERIALIZED (
    SELECT s.id, s.pmhc_certified, {NO_INSURANCE} AS no_insurance,
        CASE WHEN c.service_id IS NULL THEN 1
             WHEN NOT c.accepting_new_patients OR c.available = 0 THEN 2
             WHEN c.verified_at < $12 THEN 1 ELSE 0 END AS tier,
        CASE WHEN c.next_available_intake IS NOT NULL
             THEN greatest(0, c.next_available_intake - $13::date)
             WHEN c.available > 0 THEN 0 ELSE 14 END AS days
    FROM reach
    JOIN services s ON s.id = reach.service_id
    JOIN organizations o ON o.id = s.organization_id AND o.kind = 'practice'
    LEFT JOIN capacities c ON c.service_id = s.id
    WHERE ($2::text IS NULL OR $2 = ANY (s.populations))
      AND ($3::text IS NULL OR EXISTS (
            SELECT 1 FROM unnest(s.languages) AS t(tag)
            WHERE lower(t.tag) = $3 OR lower(t.tag) LIKE $3 || '-%'
               OR $3 LIKE lower(t.tag) || '-%'))
      AND ($4::text IS NULL OR $4 = ANY (s.modalities))
      AND CASE $5::text
            WHEN 'uninsured' THEN {NO_INSURANCE}
            WHEN 'medicaid' THEN s.accepts_medicaid OR {NO_INSURANCE}
            ELSE $6 = ANY (s.insurance_plans) OR {NO_INSURANCE}
          END
),
picked AS (
    (SELECT id FROM eligible ORDER BY tier, days, pmhc_certified DESC, id LIMIT $14)
    UNION
    (SELECT id FROM eligible WHERE no_insurance
     ORDER BY tier, days, pmhc_certified DESC, id LIMIT $15)
)
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by,
       o.name AS org_name, o.status AS org_status, o.practice_type, po.observed
FROM picked
JOIN services s ON s.id = picked.id
JOIN organizations o ON o.id = s.organization_id
LEFT JOIN capacities c ON c.service_id = s.id
LEFT JOIN practice_observed po ON po.practice_id = s.organization_id"""
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
    keep = max(50, 5 * request.limit)
    rows = list(
        await conn.fetch(CANDIDATES, *args, now - max_age, now.date(), keep, NO_INSURANCE_KEPT)
    )
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
