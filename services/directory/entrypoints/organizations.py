"""Network membership: administrators onboard and suspend organizations and issue credentials."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from contracts.fields import OrgId
from services.directory.adapters import repository
from services.directory.domain.model import OrgStatus
from services.directory.entrypoints.schemas import (
    ClientIn,
    ClientOut,
    OrganizationIn,
    OrganizationOut,
)
from services.directory.service_layer.commands import organizations
from warmlink.audit import audit_admin
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]
OrgPath = Annotated[OrgId, Path()]


def _out(row: object) -> OrganizationOut:
    return OrganizationOut.model_validate(dict(row))  # type: ignore[call-overload]


@router.put("/{org_id}", response_model=OrganizationOut)
async def put_organization(
    org_id: OrgPath, body: OrganizationIn, conn: ConnectionDep, caller: AdminDep
) -> OrganizationOut:
    """Onboard or update a network member (administrators only)."""
    command = organizations.OnboardOrganization(
        org_id=org_id,
        name=body.name,
        kind=body.kind,
        practice_type=body.practice_type,
        description=body.description,
        website=str(body.website) if body.website else None,
        phone=body.phone,
    )
    async with conn.transaction():
        row = await organizations.onboard_organization(conn, command)
        await audit_admin(conn, caller, "organization_put", "organization", org_id)
    return _out(row)


@router.get("", response_model=list[OrganizationOut])
async def list_organizations(conn: ConnectionDep, caller: CallerDep) -> list[OrganizationOut]:
    """Every member of the network (no patient data here)."""
    return [_out(r) for r in await repository.list_organizations(conn)]


async def _set_status(
    conn: ConnectionDep, caller: Caller, org_id: str, status: OrgStatus
) -> OrganizationOut:
    what = "suspend" if status is OrgStatus.SUSPENDED else "reactivate"
    async with conn.transaction():
        row = await organizations.set_status(conn, org_id, status)
        await audit_admin(conn, caller, what, "organization", org_id)
    return _out(row)


@router.post("/{org_id}/suspend", response_model=OrganizationOut)
async def suspend(org_id: OrgPath, conn: ConnectionDep, caller: AdminDep) -> OrganizationOut:
    """No new tokens from now; tokens already issued lapse within one lifetime. Matching drops
    the organization's services at once."""
    return await _set_status(conn, caller, org_id, OrgStatus.SUSPENDED)


@router.post("/{org_id}/reactivate", response_model=OrganizationOut)
async def reactivate(org_id: OrgPath, conn: ConnectionDep, caller: AdminDep) -> OrganizationOut:
    return await _set_status(conn, caller, org_id, OrgStatus.ACTIVE)


@router.post("/{org_id}/clients", response_model=ClientOut, status_code=201)
async def create_client(
    org_id: OrgPath, conn: ConnectionDep, caller: AdminDep, body: ClientIn | None = None
) -> ClientOut:
    """Issue client credentials for `POST /oauth/token`. The secret is returned only now.
    `acts_for_people` (the network's organization only): the client may exchange for people's
    tokens (RFC 8693), as the portal does."""
    wanted = body or ClientIn()
    async with conn.transaction():
        issued = await organizations.issue_client(conn, org_id, wanted.acts_for_people)
        await audit_admin(conn, caller, "issue_client", "client", issued.client_id)
    return ClientOut(client_id=issued.client_id, client_secret=issued.client_secret)
