"""Invitations: made, resent, revoked and accepted, with their mail queued in the same
transaction. Each function runs in the caller's transaction, never commits and never speaks
HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from services.portal.adapters import (
    invitations,
    outgoing_mail,
    people,
)
from services.portal.adapters.outgoing_mail import Mail
from services.portal.domain.credentials import (
    accepted_step,
    hash_password,
    new_totp_secret,
)
from services.portal.domain.errors import (
    AlreadyInvited,
    CodeNotAccepted,
    EmailTaken,
    InvitationClosed,
    NoSuchInvitation,
    NotAnOrganizationAdmin,
    PasswordsDiffer,
    RoleNotInOrganization,
)
from services.portal.domain.invitations import (
    Invitation,
    InvitationPolicy,
    Standing,
    accept_link,
    invitation_mail,
    new_token,
    token_digest,
)
from services.portal.domain.people import Person
from services.portal.service_layer.commands.sessions import Rules
from warmlink.db import Connection
from warmlink.roles import PersonRole, person_role_fits


@dataclass(frozen=True)
class Invite:
    email: str
    role: PersonRole


async def invite_person(
    conn: Connection, rules: Rules, how: InvitationPolicy, admin: Person, c: Invite, now: datetime
) -> Invitation:
    """An invitation to her organization, and its mail, in the caller's transaction: the mail is
    sent after the commit (workers/outgoing_mail.py), so it never announces what rolled back."""
    if not admin.administers_people:
        raise NotAnOrganizationAdmin()
    if not person_role_fits(admin.access_role, c.role):
        raise RoleNotInOrganization()
    email = c.email.strip()
    if await people.by_email(conn, email, rules.keyring) is not None:
        raise EmailTaken()
    token = new_token()
    invitation = Invitation(
        id=uuid.uuid4(),
        organization_id=admin.organization_id,
        role=c.role,
        access_role=admin.access_role,
        email=email,
        token_sha256=token_digest(token),
        totp_secret=new_totp_secret(),
        invited_by=admin.id,
        created_at=now,
        expires_at=now + how.lifetime,
    )
    if not await invitations.add(conn, invitation, rules.keyring):
        raise AlreadyInvited()
    await _queue_mail(conn, rules, how, invitation, token, now)
    return invitation


async def resend_invitation(
    conn: Connection,
    rules: Rules,
    how: InvitationPolicy,
    admin: Person,
    invitation_id: uuid.UUID,
    now: datetime,
) -> Invitation:
    """A new link (and TOTP secret) that lasts the full lifetime again; the old link stops
    working and its mail, if still unsent, is not sent."""
    invitation = await _open_invitation_of(conn, rules, admin, invitation_id)
    token = new_token()
    renewed = replace(
        invitation,
        token_sha256=token_digest(token),
        totp_secret=new_totp_secret(),
        expires_at=now + how.lifetime,
    )
    await invitations.renew(conn, renewed, rules.keyring)
    await outgoing_mail.drop_unsent(conn, invitation.id)
    await _queue_mail(conn, rules, how, renewed, token, now)
    return renewed


async def revoke_invitation(
    conn: Connection, rules: Rules, admin: Person, invitation_id: uuid.UUID, now: datetime
) -> None:
    invitation = await _open_invitation_of(conn, rules, admin, invitation_id)
    await invitations.revoke(conn, invitation.id, now)
    await outgoing_mail.drop_unsent(conn, invitation.id)


async def _open_invitation_of(
    conn: Connection, rules: Rules, admin: Person, invitation_id: uuid.UUID
) -> Invitation:
    if not admin.administers_people:
        raise NotAnOrganizationAdmin()
    invitation = await invitations.by_id(conn, invitation_id, rules.keyring)
    if invitation is None or invitation.organization_id != admin.organization_id:
        raise NoSuchInvitation()
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvitationClosed(str(Standing.ACCEPTED if invitation.accepted_at else "revoked"))
    return invitation


async def _queue_mail(
    conn: Connection,
    rules: Rules,
    how: InvitationPolicy,
    invitation: Invitation,
    token: str,
    now: datetime,
) -> None:
    link = accept_link(how.public_url, token)
    subject, body = invitation_mail(link, invitation.organization_id, invitation.expires_at)
    mail = Mail(invitation.email, subject, body)
    await outgoing_mail.queue(conn, rules.keyring, "invitation", invitation.id, mail, now)


async def pending_invitation(
    conn: Connection, rules: Rules, token: str, now: datetime
) -> Invitation:
    """The invitation a link names, if it can still be accepted."""
    invitation = await invitations.by_token(conn, token_digest(token), rules.keyring)
    if invitation is None:
        raise NoSuchInvitation()
    standing = invitation.standing(now)
    if standing is not Standing.PENDING:
        raise InvitationClosed(str(standing))
    return invitation


@dataclass(frozen=True)
class Accept:
    token: str
    password: str
    password_again: str
    code: str


async def accept_invitation(conn: Connection, rules: Rules, c: Accept, now: datetime) -> Person:
    """Her account, active at once: the password she chose and the authenticator app she just
    showed works (a current code for the secret on the page). The link works once."""
    invitation = await pending_invitation(conn, rules, c.token, now)
    password_hash = hash_password(c.password)
    if c.password != c.password_again:
        raise PasswordsDiffer()
    # The code proves the enrolment and signs nobody in, so its step is not kept: her first
    # sign-in, a moment later, may show the same code.
    if accepted_step(invitation.totp_secret, c.code, now, None) is None:
        raise CodeNotAccepted()
    person = Person(
        id=uuid.uuid4(),
        organization_id=invitation.organization_id,
        role=invitation.role,
        access_role=invitation.access_role,
        email=invitation.email,
        password_hash=password_hash,
        totp_secret=invitation.totp_secret,
    )
    if not await people.add(conn, person, rules.keyring):
        raise EmailTaken()
    if not await invitations.accept(conn, invitation.id, person.id, now):
        raise InvitationClosed(str(Standing.ACCEPTED))
    await people.record_event(conn, person.id, "invitation_accepted", now)
    return person
