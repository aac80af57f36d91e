"""Listings: a practice's locations and services, and the profile the network hears of them.

Reads live here too (`organization`, `practice`, `observed`), because the commands and the
routes share them."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import PracticeRegistered, PracticeUpdated
from contracts.events.directory import IntakeWindow, PracticeService
from services.directory.adapters import listings
from services.directory.domain.errors import (
    NoSuchOrganization,
    NoSuchService,
    NotAPractice,
    OwnedElsewhere,
)
from services.directory.domain.model import (
    Location,
    ObservedBehaviour,
    Organization,
    OrgKind,
    PracticeType,
    Service,
)
from services.directory.service_layer.commands.capacity import PRODUCER
from warmlink.db import Connection
from warmlink.outbox import publish_later


async def organization(conn: Connection, org_id: str) -> Organization:
    found = await listings.load(conn, [org_id])
    if not found:
        raise NoSuchOrganization(org_id)
    return found[0]


async def practice(conn: Connection, org_id: str) -> Organization:
    """The organization, which must be a receiving practice (only practices list services)."""
    org = await organization(conn, org_id)
    if org.kind is not OrgKind.PRACTICE:
        raise NotAPractice(org_id)
    return org


async def observed(conn: Connection, org_id: str) -> ObservedBehaviour:
    return await listings.observed(conn, org_id)


async def service_owner(conn: Connection, service_id: str) -> str:
    owner = await listings.service_owner(conn, service_id)
    if owner is None:
        raise NoSuchService(service_id)
    return owner


async def save_location(conn: Connection, org_id: str, location: Location) -> None:
    await organization(conn, org_id)
    if not await listings.upsert_location(conn, org_id, location):
        raise OwnedElsewhere(f"Location {location.id}")


async def save_service(conn: Connection, service: Service) -> None:
    """Create or replace the service and publish the practice's profile (PracticeRegistered
    with its first service), in the caller's transaction."""
    created = await listings.upsert_service(conn, service)
    if created is None:
        raise OwnedElsewhere(f"Service {service.id}")
    org = await organization(conn, service.organization_id)
    first = created and len(org.services) == 1
    await publish_later(conn, practice_profile(org, first), producer=PRODUCER)


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
