"""Listing handlers: write a practice's listing or capacity and publish what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import PracticeRegistered, PracticeUpdated
from contracts.events.directory import IntakeWindow, PracticeService
from services.directory.adapters import listings
from services.directory.domain.model import (
    Capacity,
    Location,
    ObservedBehaviour,
    Organization,
    PracticeType,
    Service,
)
from services.directory.handlers import PRODUCER, publish_capacity
from services.directory.settings import DirectorySettings
from warmlink.db import Connection
from warmlink.outbox import publish_later
from warmlink.problems import Forbidden, NotFound

OBSERVED = "SELECT observed FROM practice_observed WHERE practice_id = $1"


async def organization(conn: Connection, org_id: str) -> Organization:
    found = await listings.load(conn, [org_id])
    if not found:
        raise NotFound(f"No organization {org_id}.")
    return found[0]


async def observed(conn: Connection, org_id: str) -> ObservedBehaviour:
    return listings.observed_from(await conn.fetchval(OBSERVED, org_id))


async def service_owner(conn: Connection, service_id: str) -> str | None:
    return await listings.service_owner(conn, service_id)


async def save_location(conn: Connection, org_id: str, location: Location) -> None:
    await organization(conn, org_id)
    if not await listings.upsert_location(conn, org_id, location):
        raise Forbidden(f"Location {location.id} belongs to another organization.")


async def save_service(conn: Connection, service: Service) -> None:
    async with conn.transaction():
        created = await listings.upsert_service(conn, service)
        if created is None:
            raise Forbidden(f"Service {service.id} belongs to another organization.")
        org = await organization(conn, service.organization_id)
        first = created and len(org.services) == 1
        await publish_later(conn, practice_profile(org, first), producer=PRODUCER)


async def confirm_capacity(
    conn: Connection,
    settings: DirectorySettings,
    practice_id: str,
    service_id: str,
    capacity: Capacity,
) -> None:
    async with conn.transaction():
        await listings.set_capacity(conn, service_id, capacity)
        await publish_capacity(conn, settings, practice_id, service_id, capacity)


def _area(org: Organization, service: Service) -> str | None:
    """The city of the service's first location; None for a telehealth-only service."""
    cities = [loc.city for loc in org.locations if loc.id in service.location_ids]
    return cities[0] if cities else None


def practice_profile(org: Organization, first: bool) -> PracticeRegistered | PracticeUpdated:
    cls = PracticeRegistered if first else PracticeUpdated
    services = org.services
    funding = set()
    for s in services:
        c = s.coverage
        funding |= {"medicaid"} if c.accepts_medicaid else set()
        funding |= {"commercial"} if c.insurance_plans else set()
        funding |= {"sliding_scale"} if c.sliding_scale else set()
        funding |= {"free"} if c.free else set()
    accepting = any(s.capacity is None or s.capacity.accepting_new_patients for s in services)
    return cls(
        practice_id=org.id,
        kind=org.practice_type or PracticeType.PRIVATE_PRACTICE,
        time_zone=services[0].time_zone if services else "America/Chicago",
        accepting_referrals=accepting,
        pmh_c_certified=any(s.pmhc_certified for s in services),
        funding=tuple(sorted(funding)),
        services=tuple(
            PracticeService(
                service_id=s.id,
                level_of_care=s.level_of_care,
                modalities=tuple(sorted(s.modalities)),
                telehealth_states=tuple(sorted(s.telehealth_states)),
                languages=tuple(sorted(s.languages)),
                serves_pregnant="pregnant" in s.populations,
                postpartum_months=s.postpartum_months if "postpartum" in s.populations else 0,
                infant_welcome=s.infant_welcome,
                intake_hours=tuple(
                    IntakeWindow(weekday=h.weekday, opens=h.opens, closes=h.closes)
                    for h in s.intake_hours
                ),
                area=_area(org, s),
            )
            for s in services
        ),
        updated_at=datetime.now(UTC),
    )
