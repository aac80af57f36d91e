"""The SQL side of matching: fetch services that can possibly fit, with what ranking needs.

Only the cheap, index-friendly part of the rule runs here (level of care, practice, geography by
bounding box or telehealth state); `domain.matching.rank` applies the whole rule, so a candidate
that slips through is still filtered there, never the other way round.
"""

from __future__ import annotations

from services.directory.adapters.listings import location_from, observed_from, service_from
from services.directory.domain.geo import bounding_box
from services.directory.domain.matching import Candidate, MatchRequest
from services.directory.domain.model import Organization, OrgKind, OrgStatus, PracticeType
from warmlink.db import Connection

CANDIDATES = """
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by,
       o.name AS org_name, o.status AS org_status, o.practice_type, po.observed
FROM services s
JOIN organizations o ON o.id = s.organization_id AND o.kind = 'practice'
LEFT JOIN capacities c ON c.service_id = s.id
LEFT JOIN practice_observed po ON po.practice_id = s.organization_id
WHERE s.level_of_care = $1
  AND (
    ($2::text IS NOT NULL AND 'telehealth' = ANY (s.modalities) AND $2 = ANY (s.telehealth_states))
    OR ($3::float8 IS NOT NULL AND EXISTS (
        SELECT 1 FROM locations l
        WHERE l.id = ANY (s.location_ids)
          AND l.latitude BETWEEN $3 AND $4 AND l.longitude BETWEEN $5 AND $6))
  )"""
LOCATIONS = "SELECT * FROM locations WHERE id = ANY($1::text[])"


async def candidates(conn: Connection, request: MatchRequest) -> list[Candidate]:
    box: tuple[float | None, ...] = (None, None, None, None)
    if request.latitude is not None and request.longitude is not None:
        box = bounding_box(request.latitude, request.longitude, request.radius_km)
    rows = await conn.fetch(CANDIDATES, request.level_of_care.value, request.telehealth_state, *box)
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
