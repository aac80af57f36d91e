"""People: the organization administrator's page (who can sign in, who is invited; disable
someone at once), and the API that adds people (network administrators and provisioning tools,
with a bearer token). Inviting, resending and revoking are in `invitations.py`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.portal.adapters import invitations as invitations_table
from services.portal.adapters import people as people_table
from services.portal.adapters.network import Identity, Refused
from services.portal.domain.errors import NoSuchPerson, NotAnOrganizationAdmin
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    as_caller,
    form_of,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands import people as people_commands
from services.portal.service_layer.commands.sessions import Opened
from warmlink.audit import audit_admin
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput
from warmlink.roles import PERSON_ROLES, PersonRole

router = APIRouter(tags=["pages"])
api = APIRouter(prefix="/v1/people", tags=["people"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]


NOTICES = {
    "disabled": "Disabled: their sessions have ended.",
    "invited": "Invitation sent.",
    "resent": "Invitation sent again: the earlier link no longer works.",
    "revoked": "Invitation withdrawn: its link no longer works.",
}


async def people_page_of(
    request: Request,
    conn: ConnectionDep,
    opened: Opened,
    admin: Person,
    status: int = 200,
    **values: Any,
) -> Response:
    """The page as it is now; a refused invitation passes what was typed and the errors."""
    if not admin.administers_people:
        message = NotAnOrganizationAdmin().detail
        return page(request, "message.html", opened, 403, title="People", message=message)
    keyring = portal(request).rules.keyring
    everyone = await people_table.of_organization(conn, admin.organization_id, keyring)
    invited = await invitations_table.open_of(conn, admin.organization_id, keyring)
    return page(
        request,
        "people.html",
        opened,
        status,
        title="People",
        people=everyone,
        invitations=invited,
        now=portal(request).now(),
        lifetime_h=f"{portal(request).settings.invitation_lifetime_h:g}",
        roles=sorted(PERSON_ROLES[admin.access_role]),
        **{"values": {}, **values},
    )


@router.get("/people")
async def people_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    notice = NOTICES.get(request.query_params.get("done") or "")
    return await people_page_of(request, conn, opened, person, notice=notice)


@router.post("/people/{person_id}/disable")
async def disable(person_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, admin = await signed_in(conn, request)
    await form_of(request, opened)
    ctx = portal(request)
    try:
        async with conn.transaction():
            await people_commands.disable_person(
                conn, ctx.rules.keyring, admin, person_id, ctx.now()
            )
            await audit_admin(conn, as_caller(admin), "disable", "person", str(person_id))
    except (NoSuchPerson, NotAnOrganizationAdmin) as refused:
        status = 404 if isinstance(refused, NoSuchPerson) else 403
        return page(request, "message.html", opened, status, title="People", message=refused.detail)
    ctx.network.forget(str(person_id))
    return see_other("/people?done=disabled")


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: str = Field(min_length=1, max_length=100)
    role: PersonRole
    email: EmailStr
    password: str = Field(min_length=12, max_length=200)


class PersonOut(BaseModel):
    id: UUID
    organization_id: str
    role: PersonRole
    access_role: Role
    email: str
    totp_secret: str = Field(description="Shown once: enrol it in her authenticator app.")


@api.post("", status_code=201, response_model=PersonOut)
async def add_person(
    body: PersonIn, request: Request, conn: ConnectionDep, caller: AdminDep
) -> PersonOut:
    """An account for a person of a member organization. The directory says which roles her
    organization can have (a token exchange for her, refused if the role does not fit)."""
    ctx = portal(request)
    probe = Identity(str(uuid.uuid4()), body.organization_id, body.role)
    try:
        _, access_role, _ = await ctx.network.exchange(probe)
    except Refused as refused:
        pointer = next(iter(refused.answer.field_errors()), "role")
        field = {"person_role": "role"}.get(pointer, pointer)
        detail = str((refused.answer.body or {}).get("detail") or "refused by the directory")
        raise InvalidInput.at(f"/{field}", detail) from None
    command = people_commands.AddPerson(body.organization_id, body.role, body.email, body.password)
    async with conn.transaction():
        person = await people_commands.add_person(conn, ctx.rules.keyring, command, access_role)
        await audit_admin(conn, caller, "add_person", "person", str(person.id))
    return PersonOut(
        id=person.id,
        organization_id=person.organization_id,
        role=person.role,
        access_role=person.access_role,
        email=person.email,
        totp_secret=person.totp_secret,
    )
