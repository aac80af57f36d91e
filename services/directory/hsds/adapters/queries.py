"""SQL behind the HSDS API: numbered pages of services and organizations, filtered.

A service was last modified when its listing, its organization or its capacity changed:
``GREATEST`` of the three stamps (``updated_at`` of services and organizations, the capacity's
``verified_at``; GREATEST skips the NULL of a service without capacity). What merely ages (a
capacity turning stale as time passes) changes no stamp.

A taxonomy term filter keeps the services whose own ``attributes`` carry the term: ``HAS_TERM``
says in SQL what ``export._service_attributes`` says in Python, and a test compares the two for
every term over the demo region. A page reads its services' rows once and their organizations
and locations, not the organizations' other services: over 10,000 services (1,000 practices) a
page of 500 took about 55 ms unfiltered and 130 ms filtered by a term, where loading whole
organizations took 820 ms (best of 5, a busy 2-core machine)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.directory.adapters import listings
from services.directory.domain.model import Organization
from warmlink.db import Connection

LAST_MODIFIED = "GREATEST(s.updated_at, o.updated_at, c.verified_at)"
# Whether the service is tagged with the term code $3 ("facet:value" or a flag).
HAS_TERM = """CASE split_part($3, ':', 1)
    WHEN 'level_of_care' THEN s.level_of_care = split_part($3, ':', 2)
    WHEN 'modality' THEN split_part($3, ':', 2) = ANY (s.modalities)
    WHEN 'population' THEN split_part($3, ':', 2) = ANY (s.populations)
    WHEN 'intake_method' THEN split_part($3, ':', 2) = ANY (s.intake_methods)
    WHEN 'pmh-c' THEN s.pmhc_certified
    WHEN 'infant-welcome' THEN s.infant_welcome
    WHEN 'capacity-stale' THEN c.verified_at < $4
    ELSE false END"""
# $1 modified on or after, $2 organization id, $3 term code, $4 stale before, $5 search text.
SERVICES_MATCHING = f"""
FROM services s JOIN organizations o ON o.id = s.organization_id
LEFT JOIN capacities c ON c.service_id = s.id
WHERE ($1::timestamptz IS NULL OR {LAST_MODIFIED} >= $1)
  AND ($2::text IS NULL OR s.organization_id = $2)
  AND ($3::text IS NULL OR COALESCE({HAS_TERM}, false))
  AND ($5::text IS NULL OR strpos(lower(s.name || ' ' || s.description || ' ' || o.name),
                                  lower($5)) > 0)"""
COUNT_SERVICES = f"SELECT count(*) {SERVICES_MATCHING}"
# The page's rows are whole services (listings.service_from reads them): no second read.
PAGE_OF_SERVICES = f"""
SELECT s.*, c.available, c.maximum, c.next_available_intake, c.accepting_new_patients,
       c.waitlist_length, c.verified_at, c.verified_by, {LAST_MODIFIED} AS last_modified
{SERVICES_MATCHING}
ORDER BY s.id LIMIT $6 OFFSET $7"""
SERVICE_IDS = "SELECT id FROM services"
LAST_MODIFIED_OF = f"""
SELECT s.organization_id, {LAST_MODIFIED} AS last_modified
FROM services s JOIN organizations o ON o.id = s.organization_id
LEFT JOIN capacities c ON c.service_id = s.id WHERE s.id = $1"""
COUNT_ORGANIZATIONS = "SELECT count(*) FROM organizations"
PAGE_OF_ORGANIZATIONS = "SELECT id FROM organizations ORDER BY id LIMIT $1 OFFSET $2"
ORGANIZATION_IDS = "SELECT id FROM organizations"


@dataclass(frozen=True)
class ServiceFilter:
    """The reference's filters, in our terms (a term code, not its UUID)."""

    modified_after: datetime | None = None
    organization_id: str | None = None
    term_code: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class Listed:
    """A service with its organization (which may hold only the services of the same page)."""

    service_id: str
    organization: Organization
    last_modified: datetime


async def services_page(
    conn: Connection, where: ServiceFilter, stale_before: datetime, limit: int, offset: int
) -> tuple[list[Listed], int]:
    """One page of services in id order, and how many match in all."""
    args = (where.modified_after, where.organization_id, where.term_code, stale_before)
    total: int = await conn.fetchval(COUNT_SERVICES, *args, where.search)
    rows = await conn.fetch(PAGE_OF_SERVICES, *args, where.search, limit, offset)
    org_ids = list({r["organization_id"] for r in rows})
    orgs = listings.assemble(
        await conn.fetch(listings.ORGANIZATIONS, org_ids),
        await conn.fetch(listings.LOCATIONS_OF, org_ids),
        rows,  # each organization holds only its services on this page
    )
    by_id = {org.id: org for org in orgs}
    listed = [Listed(r["id"], by_id[r["organization_id"]], r["last_modified"]) for r in rows]
    return listed, total


async def service_ids(conn: Connection) -> list[str]:
    return [r["id"] for r in await conn.fetch(SERVICE_IDS)]


async def one_service(conn: Connection, service_id: str) -> Listed | None:
    row = await conn.fetchrow(LAST_MODIFIED_OF, service_id)
    if row is None:
        return None
    [org] = await listings.load(conn, [row["organization_id"]])
    return Listed(service_id, org, row["last_modified"])


async def organizations_page(
    conn: Connection, limit: int, offset: int
) -> tuple[list[Organization], int]:
    total: int = await conn.fetchval(COUNT_ORGANIZATIONS)
    ids = [r["id"] for r in await conn.fetch(PAGE_OF_ORGANIZATIONS, limit, offset)]
    return await listings.load(conn, ids), total


async def organizations(conn: Connection, ids: list[str]) -> list[Organization]:
    return await listings.load(conn, ids)


async def organization_ids(conn: Connection) -> list[str]:
    return [r["id"] for r in await conn.fetch(ORGANIZATION_IDS)]
