"""Invitations: the people administrator invites someone by email with a role of her
organization, resends or revokes; the invited person accepts at the link (a password, her
authenticator app) and can sign in at once."""

from __future__ import annotations

from uuid import UUID

import segno
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import EmailStr, TypeAdapter, ValidationError

from services.portal.domain.errors import (
    AlreadyInvited,
    CodeNotAccepted,
    EmailTaken,
    InvitationClosed,
    NoSuchInvitation,
    NotAnOrganizationAdmin,
    PasswordsDiffer,
    RoleNotInOrganization,
    WeakPassword,
)
from services.portal.domain.invitations import Invitation, otpauth_uri
from services.portal.domain.sessions import Stage
from services.portal.entrypoints.deps import (
    SignInFirst,
    as_caller,
    form_of,
    page,
    portal,
    see_other,
    session_of,
    signed_in,
)
from services.portal.entrypoints.people import people_page_of
from services.portal.service_layer.commands import invitations as invitation_commands
from services.portal.service_layer.commands import sessions as session_commands
from services.portal.service_layer.commands.sessions import Opened
from warmlink.audit import audit_admin
from warmlink.db import ConnectionDep
from warmlink.errors import DomainError
from warmlink.roles import PersonRole

router = APIRouter(tags=["pages"])
EMAIL_SHAPE = "Enter an email address such as name@example.org."
_EMAIL = TypeAdapter(EmailStr)  # the people API's rule (email-validator, no DNS lookup)


def _is_email(text: str) -> bool:
    try:
        _EMAIL.validate_python(text)
    except ValidationError:
        return False
    return True


@router.post("/people/invitations")
async def invite(request: Request, conn: ConnectionDep) -> Response:
    opened, admin = await signed_in(conn, request)
    form = await form_of(request, opened)
    values = {"email": form.get("email", "").strip(), "role": form.get("role", "")}
    errors: dict[str, str] = {}
    email = values["email"]
    if not _is_email(email):
        errors["email"] = EMAIL_SHAPE
    if values["role"] not in set(PersonRole):
        errors["role"] = RoleNotInOrganization().detail
    if not errors:
        ctx = portal(request)
        command = invitation_commands.Invite(email, PersonRole(values["role"]))
        how = ctx.settings.invitation_policy()
        try:
            async with conn.transaction():
                invitation = await invitation_commands.invite_person(
                    conn, ctx.rules, how, admin, command, ctx.now()
                )
                await audit_admin(
                    conn, as_caller(admin), "invite", "invitation", str(invitation.id)
                )
            return see_other("/people?done=invited")
        except (AlreadyInvited, EmailTaken, RoleNotInOrganization) as refused:
            errors[(refused.field or "/email").lstrip("/")] = refused.detail
        except NotAnOrganizationAdmin:
            pass  # the page below says so
    return await people_page_of(request, conn, opened, admin, 422, values=values, errors=errors)


@router.post("/people/invitations/{invitation_id}/resend")
async def resend(invitation_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    return await _change(request, conn, invitation_id, "resent")


@router.post("/people/invitations/{invitation_id}/revoke")
async def revoke(invitation_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    return await _change(request, conn, invitation_id, "revoked")


async def _change(
    request: Request, conn: ConnectionDep, invitation_id: UUID, done: str
) -> Response:
    opened, admin = await signed_in(conn, request)
    await form_of(request, opened)
    ctx = portal(request)
    try:
        async with conn.transaction():
            if done == "resent":
                how = ctx.settings.invitation_policy()
                await invitation_commands.resend_invitation(
                    conn, ctx.rules, how, admin, invitation_id, ctx.now()
                )
            else:
                await invitation_commands.revoke_invitation(
                    conn, ctx.rules, admin, invitation_id, ctx.now()
                )
            what = "resend_invitation" if done == "resent" else "revoke_invitation"
            await audit_admin(conn, as_caller(admin), what, "invitation", str(invitation_id))
    except (NoSuchInvitation, NotAnOrganizationAdmin, InvitationClosed) as refused:
        status = {NoSuchInvitation: 404, NotAnOrganizationAdmin: 403}.get(type(refused), 409)
        return page(
            request, "message.html", opened, status, title="Invitation", message=refused.detail
        )
    return see_other(f"/people?done={done}")


async def _any_session(request: Request, conn: ConnectionDep) -> Opened:
    """The browser's session for the form's CSRF token, or a new anonymous one: she need not
    be signed in to accept (and someone else signed in on this browser stays so)."""
    ctx = portal(request)
    try:
        opened = await session_of(conn, request, ctx)
    except SignInFirst:
        opened = None
    if opened is None:
        async with conn.transaction():
            opened = await session_commands.open_session(conn, Stage.ANONYMOUS, ctx.now())
    return opened


def _closed_page(request: Request, opened: Opened, refused: DomainError) -> Response:
    """Unknown: 404; expired, used or revoked: 410; an account made meanwhile: 409."""
    status = {NoSuchInvitation: 404, EmailTaken: 409}.get(type(refused), 410)
    return page(request, "message.html", opened, status, title="Invitation", message=refused.detail)


def _accept_page(
    request: Request, opened: Opened, invitation: Invitation, status: int = 200, **values: object
) -> Response:
    uri = otpauth_uri(invitation.totp_secret, invitation.email)
    qr = segno.make(uri, error="m").svg_inline(
        scale=4, light="#fff", title="QR code of your authenticator key", svgclass="qr"
    )
    return page(
        request,
        "accept.html",
        opened,
        status,
        title="Accept your invitation",
        invitation=invitation,
        secret=invitation.totp_secret,
        otpauth=uri,
        qr_svg=qr,
        **values,
    )


@router.get("/invitations/{token}")
async def accept_form(token: str, request: Request, conn: ConnectionDep) -> Response:
    opened = await _any_session(request, conn)
    ctx = portal(request)
    try:
        invitation = await invitation_commands.pending_invitation(conn, ctx.rules, token, ctx.now())
    except (NoSuchInvitation, InvitationClosed) as refused:
        return _closed_page(request, opened, refused)
    return _accept_page(request, opened, invitation)


@router.post("/invitations/{token}")
async def accept(token: str, request: Request, conn: ConnectionDep) -> Response:
    opened = await _any_session(request, conn)
    form = await form_of(request, opened)
    ctx = portal(request)
    command = invitation_commands.Accept(
        token,
        form.get("password", ""),
        form.get("password_again", ""),
        form.get("code", "").strip().replace(" ", ""),
    )
    errors: dict[str, str] = {}
    if not command.password:
        errors["password"] = "Choose a password."  # noqa: S105 - a message
    if not command.password_again:
        errors["password_again"] = "Enter the password again."  # noqa: S105 - a message
    if not command.code.isdigit() or len(command.code) != 6:
        errors["code"] = "Enter the 6-digit code your authenticator app shows."
    try:
        if errors:
            invitation = await invitation_commands.pending_invitation(
                conn, ctx.rules, token, ctx.now()
            )
            return _accept_page(request, opened, invitation, 422, errors=errors)
        async with conn.transaction():
            person = await invitation_commands.accept_invitation(
                conn, ctx.rules, command, ctx.now()
            )
    except (NoSuchInvitation, InvitationClosed, EmailTaken) as refused:
        return _closed_page(request, opened, refused)
    except (WeakPassword, PasswordsDiffer, CodeNotAccepted) as refused:
        errors[(refused.field or "/password").lstrip("/")] = refused.detail
        invitation = await invitation_commands.pending_invitation(conn, ctx.rules, token, ctx.now())
        return _accept_page(request, opened, invitation, 422, errors=errors)
    if opened.session.stage is Stage.SIGNED_IN:  # someone else is signed in on this browser
        ready = f"Your account is ready. Sign out, then sign in as {person.email}."
        return page(request, "message.html", opened, title="Account ready", message=ready)
    return see_other("/sign-in?ended=accepted")
