"""Directory routes (skeleton): network members, onboarded by administrators."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from contracts.fields import OrgId
from services.directory.adapters import repository
from warmlink.auth import Caller, CallerDep, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]
OrgKind = Literal["hospital", "ob", "pediatric", "iop_php", "practice", "network"]


class OrganizationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind


class OrganizationOut(BaseModel):
    id: str
    name: str
    kind: OrgKind
    status: Literal["active", "suspended"]


@router.put("/{org_id}", response_model=OrganizationOut)
async def put_organization(
    org_id: Annotated[OrgId, Path()], body: OrganizationIn, conn: ConnectionDep, caller: AdminDep
) -> OrganizationOut:
    """Onboard or rename a network member (administrators only). Idempotent by nature (PUT)."""
    row = await repository.upsert_organization(conn, org_id, body.name, body.kind)
    return OrganizationOut(**dict(row))


@router.get("", response_model=list[OrganizationOut])
async def list_organizations(conn: ConnectionDep, caller: CallerDep) -> list[OrganizationOut]:
    """Every member of the network (no patient data here)."""
    return [OrganizationOut(**dict(r)) for r in await repository.list_organizations(conn)]
