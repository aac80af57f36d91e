"""A referring site's preferred practices: its referral partners, established in advance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from contracts.fields import OrgId
from services.directory.entrypoints.schemas import PreferredPracticesIn, PreferredPracticesOut
from services.directory.service_layer.commands import partners
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/organizations", tags=["partners"])
SiteDep = Annotated[Caller, require_role(Role.CLINIC)]
OrgPath = Annotated[OrgId, Path()]


@router.get("/{org_id}/preferred-practices", response_model=PreferredPracticesOut)
async def get_preferred_practices(
    org_id: OrgPath, conn: ConnectionDep, caller: SiteDep
) -> PreferredPracticesOut:
    """The site's preferred practices, in its order (its site coordinator or its own client)."""
    chosen = await partners.preferred_practices(conn, caller, org_id)
    return PreferredPracticesOut(organization_id=org_id, practice_ids=chosen)


@router.put("/{org_id}/preferred-practices", response_model=PreferredPracticesOut)
async def put_preferred_practices(
    org_id: OrgPath, body: PreferredPracticesIn, conn: ConnectionDep, caller: SiteDep
) -> PreferredPracticesOut:
    """Replace the list. Each id must be a receiving practice of the network; matching puts
    the ones that fit first for every referral the site makes from now on."""
    command = partners.ChoosePartners(org_id, list(body.practice_ids))
    async with conn.transaction():
        kept = await partners.choose_partners(conn, caller, command)
    return PreferredPracticesOut(organization_id=org_id, practice_ids=kept)
