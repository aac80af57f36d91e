"""SQL behind the HSDS API: numbered pages of services and organizations, filtered.

A service was last modified when its listing, its organization or its capacity changed:
``GREATEST`` of the three stamps (``updated_at`` of services and organizations, the capacity's
``verified_at``; GREATEST skips the NULL of a service without capacity). What merely ages (a
capacity turning stale as time passes) changes no stamp.

A taxonomy term filter keeps the services whose own ``attributes`` carry the term: the SQL below
lists the codes ``export._service_attributes`` tags a service with, and a test compares the
two over the demo region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.directory.adapters import listings
from services.directory.domain.model import Organization
from warmlink.db import Connection

LAST_MODIFIED = "GREATEST(s.updated_at, o.updated_at, c.verified_at)"
SERVICE_TERMS = """(
    ARRAY['level_of_care:' || s.level_of_care]
    || ARRAY(SELECT 'modality:' || m FROM unnest(s.modalities) m)
    || ARRAY(SELECT 'population:' || p FROM unnest(s.populations) p)
    || ARRAY(SELECT 'intake_method:' || i FROM unnest(s.intake_methods) i)
    || CASE WHEN s.pmhc_certified THEN ARRAY['pmh-c'] ELSE '{}'::text[] END
    || CASE WHEN s.infant_welcome THEN ARRAY['infant-welcome'] ELSE '{}'::text[] END
    || CASE WHEN c.verified_at < $4 THEN ARRAY['capacity-stale'] ELSE '{}'::text[] END)"""
# $1 modified on or after, $2 organization id, $3 term code, $4 stale before, $5 search text.
SERVICES_MATCHING = f"""
FROM services s JOIN organizations o ON o.id = s.organization_id
LEFT JOIN capacities c ON c.service_id = s.id
WHERE ($1::timestamptz IS NULL OR {LAST_MODIFIED} >= $1)
  AND ($2::text IS NULL OR s.organization_id = $2)
  AND ($3::text IS NULL OR $3 = ANY {SERVICE_TERMS})
  AND ($5::text IS NULL OR strpos(lower(s.name || ' ' || s.description || ' ' || o.name),
                                  lower($5)) > 0)"""
COUNT_SERVICES = f"SELECT count(*) {SERVICES_MATCHING}"
PAGE_OF_SERVICES = f"""
SELECT s.id, s.organization_id, {LAST_MODIFIED} AS last_modified {SERVICES_MATCHING}
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
    """A service of a page, with its organization (and the organization's other listings)."""

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
    orgs = {org.id: org for org in await listings.load(conn, [r["organization_id"] for r in rows])}
    listed = [Listed(r["id"], orgs[r["organization_id"]], r["last_modified"]) for r in rows]
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
