"""A practice's own listing and capacity (administrators may edit any). Reads for everyone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from contracts.fields import OrgId, ServiceId
from services.directory.domain.errors import NotYourListing
from services.directory.domain.model import (
    Capacity,
    Coverage,
    IntakeHours,
    Location,
    Service,
)
from services.directory.entrypoints.listing_views import listing_view
from services.directory.entrypoints.schemas import CapacityIn, LocationIn, ServiceIn
from services.directory.service_layer.commands import capacity as capacity_commands
from services.directory.service_layer.commands import listings as listing_commands
from services.directory.settings import DirectorySettings
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput

router = APIRouter(tags=["listings"])
EditorDep = Annotated[Caller, require_role(Role.PRACTICE, Role.ADMIN)]
OrgPath = Annotated[OrgId, Path()]


def _may_edit(caller: Caller, org_id: str) -> None:
    if caller.role is not Role.ADMIN and caller.organization_id != org_id:
        raise NotYourListing()


def _reject(problems: list[tuple[str, str]]) -> None:
    if problems:
        errors = [{"pointer": "#" + p, "detail": d} for p, d in problems]
        raise InvalidInput("; ".join(d for _, d in problems), errors=errors)


def _settings(request: Request) -> DirectorySettings:
    settings: DirectorySettings = request.app.state.runtime.settings
    return settings


@router.put("/v1/organizations/{org_id}/locations/{location_id}", status_code=204)
async def put_location(
    org_id: OrgPath,
    location_id: Annotated[ServiceId, Path()],
    body: LocationIn,
    conn: ConnectionDep,
    caller: EditorDep,
) -> None:
    _may_edit(caller, org_id)
    location = Location(id=location_id, **body.model_dump())
    await listing_commands.save_location(conn, org_id, location)


@router.put("/v1/organizations/{org_id}/services/{service_id}", status_code=204)
async def put_service(
    org_id: OrgPath,
    service_id: Annotated[ServiceId, Path()],
    body: ServiceIn,
    conn: ConnectionDep,
    caller: EditorDep,
) -> None:
    """Create or replace one service of a practice; publishes PracticeRegistered/Updated."""
    _may_edit(caller, org_id)
    org = await listing_commands.practice(conn, org_id)
    _reject(body.problems({loc.id for loc in org.locations}))
    data = body.model_dump(exclude={"insurance_plans", "accepts_medicaid", "sliding_scale", "free"})
    service = Service(
        id=service_id,
        organization_id=org_id,
        coverage=Coverage(
            insurance_plans=frozenset(body.insurance_plans),
            accepts_medicaid=body.accepts_medicaid,
            sliding_scale=body.sliding_scale,
            free=body.free,
        ),
        **data
        | {
            "modalities": frozenset(body.modalities),
            "populations": frozenset(body.populations),
            "languages": frozenset(body.languages),
            "telehealth_states": frozenset(body.telehealth_states),
            "location_ids": tuple(body.location_ids),
            "intake_methods": frozenset(body.intake_methods),
            "intake_hours": tuple(IntakeHours(**h) for h in data["intake_hours"]),
        },
    )
    async with conn.transaction():
        await listing_commands.save_service(conn, service)


@router.put("/v1/services/{service_id}/capacity", status_code=204)
async def put_capacity(
    service_id: Annotated[ServiceId, Path()],
    body: CapacityIn,
    request: Request,
    conn: ConnectionDep,
    caller: EditorDep,
) -> None:
    """Confirm capacity now: stamps verified_at and who verified it; publishes CapacityUpdated.
    A development network also accepts an earlier `verified_at`, so demo data can look old."""
    _reject(body.problems())
    owner = await listing_commands.service_owner(conn, service_id)
    _may_edit(caller, owner)
    capacity = Capacity(
        **body.model_dump(exclude={"verified_at"}),
        verified_at=body.verified_at or datetime.now(UTC),
        verified_by=caller.subject,
    )
    backdated = body.verified_at is not None
    async with conn.transaction():
        await capacity_commands.confirm_capacity(
            conn, _settings(request), owner, service_id, capacity, backdated
        )


@router.get("/v1/organizations/{org_id}/listing")
async def get_listing(
    org_id: OrgPath, request: Request, conn: ConnectionDep, caller: CallerDep
) -> dict[str, Any]:
    """The organization with its locations, services, capacity (and its freshness) and, for
    practices, observed behaviour over the rolling window."""
    org = await listing_commands.organization(conn, org_id)
    observed = await listing_commands.observed(conn, org_id)
    return listing_view(org, observed, datetime.now(UTC), _settings(request).capacity_max_age)
