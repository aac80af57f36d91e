"""SQL for listings: locations, services, capacity; and loading them as domain objects.

`location_from`, `service_from` and `capacity_from` stay hand-written: the match index builds
10,000 services with them on every full reload, and naming each column is faster there than
`warmlink.rows.from_row`'s lookup of every field (about 2.5 times, measured per row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from services.directory.domain.model import (
    Capacity,
    Coverage,
    IntakeHours,
    IntakeMethod,
    LevelOfCare,
    Location,
    Modality,
    ObservedBehaviour,
    Organization,
    OrgKind,
    OrgStatus,
    Population,
    PracticeType,
    Service,
)
from warmlink.db import Connection
from warmlink.rows import from_row

UPSERT_LOCATION = """
INSERT INTO locations (id, organization_id, name, address_1, city, state, postal_code,
                       latitude, longitude)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, address_1 = excluded.address_1,
    city = excluded.city, state = excluded.state, postal_code = excluded.postal_code,
    latitude = excluded.latitude, longitude = excluded.longitude
WHERE locations.organization_id = excluded.organization_id
RETURNING id"""

UPSERT_SERVICE = """
INSERT INTO services (id, organization_id, name, description, level_of_care, modalities,
    populations, postpartum_months, pmhc_certified, infant_welcome, languages, insurance_plans,
    accepts_medicaid, sliding_scale, free, telehealth_states, location_ids, intake_methods,
    intake_phone, intake_url, intake_hours, time_zone)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21::jsonb, $22)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
    level_of_care = excluded.level_of_care, modalities = excluded.modalities,
    populations = excluded.populations, postpartum_months = excluded.postpartum_months,
    pmhc_certified = excluded.pmhc_certified, infant_welcome = excluded.infant_welcome,
    languages = excluded.languages, insurance_plans = excluded.insurance_plans,
    accepts_medicaid = excluded.accepts_medicaid, sliding_scale = excluded.sliding_scale,
    free = excluded.free, telehealth_states = excluded.telehealth_states,
    location_ids = excluded.location_ids, intake_methods = excluded.intake_methods,
    intake_phone = excluded.intake_phone, intake_url = excluded.intake_url,
    intake_hours = excluded.intake_hours, time_zone = excluded.time_zone, updated_at = now()
WHERE services.organization_id = excluded.organization_id
RETURNING (xmax = 0) AS inserted"""

SET_CAPACITY = """
INSERT INTO capacities (service_id, available, maximum, next_available_intake,
                        accepting_new_patients, waitlist_length, verified_at, verified_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (service_id) DO UPDATE SET available = excluded.available,
    maximum = excluded.maximum, next_available_intake = excluded.next_available_intake,
    accepting_new_patients = excluded.accepting_new_patients,
    waitlist_length = excluded.waitlist_length, verified_at = excluded.verified_at,
    verified_by = excluded.verified_by, stale_announced_at = NULL"""

NEWLY_STALE = """
SELECT c.*, s.organization_id FROM capacities c JOIN services s ON s.id = c.service_id
WHERE c.stale_announced_at IS NULL AND c.verified_at < $1
ORDER BY c.verified_at LIMIT $2
FOR UPDATE OF c SKIP LOCKED"""
MARK_STALE_ANNOUNCED = "UPDATE capacities SET stale_announced_at = $2 WHERE service_id = $1"
OBSERVED = "SELECT observed FROM practice_observed WHERE practice_id = $1"
SERVICE_OWNER = "SELECT organization_id FROM services WHERE id = $1"
LOCATIONS_OF = "SELECT * FROM locations WHERE organization_id = ANY($1::text[]) ORDER BY id"
SERVICES_OF = """
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by
FROM services s LEFT JOIN capacities c ON c.service_id = s.id
WHERE s.organization_id = ANY($1::text[]) ORDER BY s.id"""
ORGANIZATIONS = "SELECT * FROM organizations WHERE ($1::text[] IS NULL OR id = ANY($1)) ORDER BY id"


async def upsert_location(conn: Connection, org_id: str, loc: Location) -> bool:
    """False when the id belongs to another organization (nothing written)."""
    row = await conn.fetchval(
        UPSERT_LOCATION,
        loc.id,
        org_id,
        loc.name,
        loc.address_1,
        loc.city,
        loc.state,
        loc.postal_code,
        loc.latitude,
        loc.longitude,
    )
    return row is not None


async def upsert_service(conn: Connection, s: Service) -> bool | None:
    """True if created, False if updated, None if the id belongs to another organization."""
    hours = orjson.dumps([h.__dict__ for h in s.intake_hours]).decode()
    inserted: bool | None = await conn.fetchval(
        UPSERT_SERVICE,
        s.id,
        s.organization_id,
        s.name,
        s.description,
        s.level_of_care,
        sorted(s.modalities),
        sorted(s.populations),
        s.postpartum_months,
        s.pmhc_certified,
        s.infant_welcome,
        sorted(s.languages),
        sorted(s.coverage.insurance_plans),
        s.coverage.accepts_medicaid,
        s.coverage.sliding_scale,
        s.coverage.free,
        sorted(s.telehealth_states),
        list(s.location_ids),
        sorted(s.intake_methods),
        s.intake_phone,
        s.intake_url,
        hours,
        s.time_zone,
    )
    return inserted


async def service_owner(conn: Connection, service_id: str) -> str | None:
    owner: str | None = await conn.fetchval(SERVICE_OWNER, service_id)
    return owner


async def set_capacity(conn: Connection, service_id: str, c: Capacity) -> None:
    await conn.execute(
        SET_CAPACITY,
        service_id,
        c.available,
        c.maximum,
        c.next_available_intake,
        c.accepting_new_patients,
        c.waitlist_length,
        c.verified_at,
        c.verified_by,
    )


async def newly_stale(
    conn: Connection, verified_before: datetime, limit: int
) -> list[asyncpg.Record]:
    """Capacity rows (with their organization_id) verified before the limit and not yet
    announced as stale, locked until the transaction ends; rows others hold are skipped."""
    return list(await conn.fetch(NEWLY_STALE, verified_before, limit))


async def mark_stale_announced(conn: Connection, service_id: str, at: datetime) -> None:
    await conn.execute(MARK_STALE_ANNOUNCED, service_id, at)


async def observed(conn: Connection, org_id: str) -> ObservedBehaviour:
    return observed_from(await conn.fetchval(OBSERVED, org_id))


async def load(conn: Connection, org_ids: Sequence[str] | None = None) -> list[Organization]:
    orgs = await conn.fetch(ORGANIZATIONS, list(org_ids) if org_ids is not None else None)
    ids = [o["id"] for o in orgs]
    return assemble(orgs, await conn.fetch(LOCATIONS_OF, ids), await conn.fetch(SERVICES_OF, ids))


def assemble(
    orgs: Iterable[asyncpg.Record],
    locations: Iterable[asyncpg.Record],
    services: Iterable[asyncpg.Record],
) -> list[Organization]:
    locs: dict[str, list[Location]] = {}
    for r in locations:
        locs.setdefault(r["organization_id"], []).append(location_from(r))
    svcs: dict[str, list[Service]] = {}
    for r in services:
        svcs.setdefault(r["organization_id"], []).append(service_from(r))
    return [
        from_row(
            Organization,
            o,
            kind=OrgKind(o["kind"]),
            status=OrgStatus(o["status"]),
            practice_type=PracticeType(o["practice_type"]) if o["practice_type"] else None,
            locations=tuple(locs.get(o["id"], ())),
            services=tuple(svcs.get(o["id"], ())),
        )
        for o in orgs
    ]


def location_from(r: asyncpg.Record | dict[str, Any]) -> Location:
    return Location(
        id=r["id"],
        name=r["name"],
        address_1=r["address_1"],
        city=r["city"],
        state=r["state"],
        postal_code=r["postal_code"],
        latitude=r["latitude"],
        longitude=r["longitude"],
    )


def capacity_from(r: asyncpg.Record, available: int | None = None) -> Capacity:
    """A row with the capacities columns; `available` overrides the stored count."""
    return Capacity(
        available=r["available"] if available is None else available,
        maximum=r["maximum"],
        next_available_intake=r["next_available_intake"],
        accepting_new_patients=r["accepting_new_patients"],
        waitlist_length=r["waitlist_length"],
        verified_at=r["verified_at"],
        verified_by=r["verified_by"],
    )


def service_from(r: asyncpg.Record) -> Service:
    capacity = capacity_from(r) if r["verified_at"] is not None else None
    return Service(
        id=r["id"],
        organization_id=r["organization_id"],
        name=r["name"],
        description=r["description"],
        level_of_care=LevelOfCare(r["level_of_care"]),
        modalities=frozenset(Modality(m) for m in r["modalities"]),
        populations=frozenset(Population(p) for p in r["populations"]),
        postpartum_months=r["postpartum_months"],
        pmhc_certified=r["pmhc_certified"],
        infant_welcome=r["infant_welcome"],
        languages=frozenset(r["languages"]),
        coverage=Coverage(
            insurance_plans=frozenset(r["insurance_plans"]),
            accepts_medicaid=r["accepts_medicaid"],
            sliding_scale=r["sliding_scale"],
            free=r["free"],
        ),
        telehealth_states=frozenset(r["telehealth_states"]),
        location_ids=tuple(r["location_ids"]),
        intake_methods=frozenset(IntakeMethod(m) for m in r["intake_methods"]),
        intake_phone=r["intake_phone"],
        intake_url=r["intake_url"],
        intake_hours=tuple(IntakeHours(**h) for h in orjson.loads(r["intake_hours"])),
        time_zone=r["time_zone"],
        capacity=capacity,
    )


def observed_from(raw: str | None) -> ObservedBehaviour:
    if raw is None:
        return ObservedBehaviour()
    data = orjson.loads(raw)
    data["decline_reasons"] = tuple(tuple(pair) for pair in data.get("decline_reasons", ()))
    return ObservedBehaviour(**data)
