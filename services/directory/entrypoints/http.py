"""Network membership: administrators onboard and suspend organizations and issue credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field, HttpUrl

from contracts.fields import OrgId
from services.directory.adapters import repository
from services.directory.domain.model import OrgKind, OrgStatus, PracticeType
from services.directory.service_layer.commands import identity, organizations
from services.directory.settings import DirectorySettings
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])
keys_router = APIRouter(prefix="/v1/signing-keys", tags=["identity"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]
OrgPath = Annotated[OrgId, Path()]


class OrganizationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    practice_type: PracticeType | None = None
    description: str = Field("", max_length=2000)
    website: HttpUrl | None = None
    phone: str | None = Field(None, pattern=r"^[0-9+()\- .]{7,20}$")


class OrganizationOut(BaseModel):
    id: str
    name: str
    kind: OrgKind
    status: OrgStatus
    practice_type: PracticeType | None
    description: str
    website: str | None
    phone: str | None


class ClientOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; store it in a secret manager.")


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
    return _out(await organizations.onboard_organization(conn, command))


@router.get("", response_model=list[OrganizationOut])
async def list_organizations(conn: ConnectionDep, caller: CallerDep) -> list[OrganizationOut]:
    """Every member of the network (no patient data here)."""
    return [_out(r) for r in await repository.list_organizations(conn)]


async def _set_status(conn: ConnectionDep, org_id: str, status: OrgStatus) -> OrganizationOut:
    return _out(await organizations.set_status(conn, org_id, status))


@router.post("/{org_id}/suspend", response_model=OrganizationOut)
async def suspend(org_id: OrgPath, conn: ConnectionDep, caller: AdminDep) -> OrganizationOut:
    """No new tokens from now; tokens already issued lapse within one lifetime. Matching drops
    the organization's services at once."""
    return await _set_status(conn, org_id, OrgStatus.SUSPENDED)


@router.post("/{org_id}/reactivate", response_model=OrganizationOut)
async def reactivate(org_id: OrgPath, conn: ConnectionDep, caller: AdminDep) -> OrganizationOut:
    return await _set_status(conn, org_id, OrgStatus.ACTIVE)


@router.post("/{org_id}/clients", response_model=ClientOut, status_code=201)
async def create_client(org_id: OrgPath, conn: ConnectionDep, caller: AdminDep) -> ClientOut:
    """Issue client credentials for `POST /oauth/token`. The secret is returned only now."""
    issued = await organizations.issue_client(conn, org_id)
    return ClientOut(client_id=issued.client_id, client_secret=issued.client_secret)


@keys_router.post("/rotate", status_code=201)
async def rotate_signing_key(
    request: Request, conn: ConnectionDep, caller: AdminDep
) -> dict[str, str]:
    """Sign new tokens with a new key; the old key stays published until its tokens expire."""
    settings: DirectorySettings = request.app.state.runtime.settings
    async with conn.transaction():
        key = await identity.rotate_signing_key(conn, settings, datetime.now(UTC))
    await request.app.state.published_keys.refresh()
    return {"kid": key.kid}
