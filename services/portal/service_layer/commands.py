"""Sign-in, sessions, people's administration and invitations. Each function runs in the caller's
transaction, never commits and never speaks HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from services.portal.adapters import (
    identity_providers,
    invitations,
    outgoing_mail,
    people,
    sessions,
)
from services.portal.adapters.oidc import OidcProviders
from services.portal.adapters.outgoing_mail import Mail
from services.portal.domain import organization_sign_in
from services.portal.domain.credentials import (
    accepted_step,
    hash_password,
    new_totp_secret,
    password_matches,
)
from services.portal.domain.errors import (
    AlreadyInvited,
    CodeNotAccepted,
    EmailDomainTaken,
    EmailTaken,
    InvitationClosed,
    LockedOut,
    NoSuchIdentityProvider,
    NoSuchInvitation,
    NoSuchPerson,
    NotAnOrganizationAdmin,
    OrganizationSignInRefused,
    PasswordsDiffer,
    RoleNotInOrganization,
    SessionEnded,
    SignInRefused,
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
from services.portal.domain.organization_sign_in import IdentityProvider
from services.portal.domain.people import LockoutPolicy, Person
from services.portal.domain.sessions import (
    Ending,
    Session,
    SessionPolicy,
    Stage,
    digest,
    new_csrf_token,
    new_session_id,
)
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.errors import Invalid
from warmlink.roles import PersonRole, Role, person_role_fits

KEEP_ENDED = timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    keyring: Keyring
    sessions: SessionPolicy
    lockout: LockoutPolicy


@dataclass(frozen=True)
class Opened:
    """A session the browser holds (`session_id`, set as its cookie) and whose it is."""

    session_id: str
    session: Session
    person: Person | None = None


async def open_session(
    conn: Connection, stage: Stage, now: datetime, person: Person | None = None
) -> Opened:
    session_id = new_session_id()
    session = Session(
        digest(session_id), stage, new_csrf_token(), now, now, person.id if person else None
    )
    await sessions.add(conn, session)
    return Opened(session_id, session, person)


async def current(
    conn: Connection, rules: Rules, session_id: str | None, now: datetime
) -> Opened | None:
    """The browser's session if it still lasts (and touch it); None if it has none. A session
    that has just ended (idle, too old, its person disabled) ends now: SessionEnded.

    Needs no transaction: it reads in one statement and each write is one statement, so every
    page's first step costs one round trip unless the session must be touched or ended."""
    if not session_id:
        return None
    found = await sessions.get_with_person(conn, digest(session_id), rules.keyring)
    if found is None:
        return None
    session, person = found
    ending = rules.sessions.ending(session, now)
    if ending is None and person is not None and person.disabled_at is not None:
        ending = Ending.DISABLED
    if ending is not None:
        if session.ended is None:
            await sessions.end_recorded(conn, session.id_sha256, ending, now)
        raise SessionEnded(str(ending))
    if rules.sessions.needs_touch(session, now):
        await sessions.touch(conn, session.id_sha256, now)
    return Opened(session_id, session, person)


async def check_password(
    conn: Connection, rules: Rules, anonymous: Opened, email: str, password: str, now: datetime
) -> Opened:
    """First factor. The anonymous session is replaced by one waiting for the code."""
    person = await people.by_email(conn, email, rules.keyring)
    matches = password_matches(person.password_hash if person else None, password)
    if person is None:
        await people.record_event(conn, None, "unknown_email", now)
        raise SignInRefused()
    await _refuse_if_locked(conn, rules.lockout, person, now)
    if person.disabled_at is not None:
        await people.record_event(conn, person.id, "disabled", now)
        raise SignInRefused()
    if not matches:
        await _failed(conn, rules.lockout, person, "wrong_password", now)
    await people.record_event(conn, person.id, "password_ok", now)
    await sessions.end(conn, anonymous.session.id_sha256, Ending.REPLACED, now)
    return await open_session(conn, Stage.PASSWORD_OK, now, person)


async def check_code(
    conn: Connection, rules: Rules, waiting: Opened, code: str, now: datetime
) -> Opened:
    """Second factor (TOTP): a code is accepted once. The session is replaced by a signed-in
    one."""
    person = waiting.person
    assert person is not None and waiting.session.stage is Stage.PASSWORD_OK
    await _refuse_if_locked(conn, rules.lockout, person, now)
    step = accepted_step(person.totp_secret, code, now, person.totp_last_step)
    if step is None:
        await _failed(conn, rules.lockout, person, "wrong_code", now, field="/code")
    signed_in = replace(rules.lockout.after_success(person), totp_last_step=step)
    await people.save_attempts(conn, signed_in)
    await people.record_event(conn, person.id, "signed_in", now)
    await sessions.end(conn, waiting.session.id_sha256, Ending.REPLACED, now)
    return await open_session(conn, Stage.SIGNED_IN, now, signed_in)


async def _refuse_if_locked(
    conn: Connection, lockout: LockoutPolicy, person: Person, now: datetime
) -> None:
    locked = lockout.locked_for(person, now)
    if locked is not None:
        await people.record_event(conn, person.id, "locked_out", now)
        raise LockedOut(int(locked.total_seconds() + 0.999))


async def _failed(
    conn: Connection,
    lockout: LockoutPolicy,
    person: Person,
    outcome: str,
    now: datetime,
    field: str = "/password",
) -> None:
    after = lockout.after_failure(person, now)
    await people.save_attempts(conn, after)
    await people.record_event(conn, person.id, outcome, now)
    locked = lockout.locked_for(after, now)
    if locked is not None:
        raise LockedOut(int(locked.total_seconds()))
    raise SignInRefused(field)


async def sign_out(conn: Connection, opened: Opened, now: datetime) -> None:
    await sessions.end(conn, opened.session.id_sha256, Ending.SIGNED_OUT, now)
    if opened.session.person_id is not None:
        await people.record_event(conn, opened.session.person_id, "signed_out", now)
    await sessions.sweep(conn, now - KEEP_ENDED)


async def sweep_sessions(conn: Connection, policy: SessionPolicy, now: datetime) -> int:
    """End the sessions that lapsed while nobody used them; remove old ended and anonymous ones.
    Returns how many it ended."""
    ended = await sessions.end_lapsed(conn, now - policy.idle, now - policy.longest, now)
    await sessions.sweep(conn, now - KEEP_ENDED)
    await identity_providers.sweep_pending(conn, now - KEEP_ENDED)  # refused long before
    return ended


@dataclass(frozen=True)
class AddPerson:
    organization_id: str
    role: PersonRole
    email: str
    password: str


async def add_person(conn: Connection, keyring: Keyring, c: AddPerson, access_role: Role) -> Person:
    """A new account; her TOTP secret is made here and returned once (to enrol her app)."""
    person = Person(
        id=uuid.uuid4(),
        organization_id=c.organization_id,
        role=c.role,
        access_role=access_role,
        email=c.email.strip(),
        password_hash=hash_password(c.password),
        totp_secret=new_totp_secret(),
    )
    if not await people.add(conn, person, keyring):
        raise EmailTaken()
    return person


async def disable_person(
    conn: Connection, keyring: Keyring, admin: Person, person_id: uuid.UUID, now: datetime
) -> Person:
    """Takes effect at once: her sessions end, and she cannot sign in again."""
    if not admin.administers_people:
        raise NotAnOrganizationAdmin()
    person = await people.by_id(conn, person_id, keyring)
    if person is None or not admin.may_administer(person):
        raise NoSuchPerson()
    await people.disable(conn, person.id, now)
    await sessions.end_for_person(conn, person.id, Ending.DISABLED, now)
    await people.record_event(conn, person.id, "disabled_by_admin", now)
    return replace(person, disabled_at=person.disabled_at or now)


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


@dataclass(frozen=True)
class AddIdentityProvider:
    organization_id: str
    display_name: str
    issuer: str
    client_id: str
    client_secret: str
    email_domains: tuple[str, ...]
    mfa_trusted: bool


async def add_identity_provider(
    conn: Connection, keyring: Keyring, c: AddIdentityProvider, allow_http: bool
) -> IdentityProvider:
    """An organization's identity provider; each email domain signs in through one at most."""
    issuer_problem = organization_sign_in.issuer_error(c.issuer, allow_http)
    if issuer_problem:
        raise Invalid(issuer_problem, field="/issuer")
    domains = tuple(sorted({d.strip().lower() for d in c.email_domains}))
    domain_problem = organization_sign_in.domain_errors(domains)
    if domain_problem:
        raise Invalid(domain_problem, field="/email_domains")
    provider = IdentityProvider(
        uuid.uuid4(),
        c.organization_id,
        c.display_name.strip(),
        c.issuer,
        c.client_id,
        c.client_secret,
        domains,
        c.mfa_trusted,
    )
    taken = await identity_providers.add(conn, provider, keyring)
    if taken:
        raise EmailDomainTaken(taken)  # the caller's transaction rolls the provider back
    return provider


async def start_organization_sign_in(
    conn: Connection,
    keyring: Keyring,
    oidc: OidcProviders,
    provider_id: uuid.UUID,
    redirect_uri: str,
    now: datetime,
) -> tuple[str, organization_sign_in.Started]:
    """Where to send the browser (the provider's authorization endpoint), and what it carries;
    the state, nonce and PKCE verifier are kept here until it comes back."""
    provider = await identity_providers.by_id(conn, provider_id, keyring)
    if provider is None:
        raise NoSuchIdentityProvider()
    try:
        discovery = await oidc.discover(provider.issuer, now)
    except OrganizationSignInRefused as refused:
        await people.record_event(conn, None, f"oidc_{refused.outcome}", now)
        raise
    started = organization_sign_in.start(provider, now)
    await identity_providers.add_pending(conn, started.pending, keyring)
    endpoint = discovery.authorization_endpoint
    return organization_sign_in.authorization_url(
        endpoint, provider, started, redirect_uri
    ), started


@dataclass(frozen=True)
class ProviderReturn:
    """What the browser brings back from the provider."""

    state: str
    binding: str | None  # the cookie set when it left
    code: str | None
    error: str | None  # the provider's `error`, when it did not sign her in


async def finish_organization_sign_in(
    conn: Connection,
    rules: Rules,
    oidc: OidcProviders,
    back: ProviderReturn,
    redirect_uri: str,
    lasts: timedelta,
    now: datetime,
) -> Opened:
    """The code exchanged with its verifier, the ID token checked, the person found in the
    provider's organization; then a session waiting for her TOTP code, or signed in when the
    provider is trusted for MFA and says it used it. A refusal is recorded, then raised."""
    try:
        return await _finish(conn, rules, oidc, back, redirect_uri, lasts, now)
    except OrganizationSignInRefused as refused:
        await people.record_event(conn, refused.person_id, f"oidc_{refused.outcome}", now)
        raise


async def _finish(
    conn: Connection,
    rules: Rules,
    oidc: OidcProviders,
    back: ProviderReturn,
    redirect_uri: str,
    lasts: timedelta,
    now: datetime,
) -> Opened:
    taken = await identity_providers.take_pending(
        conn, organization_sign_in.digest(back.state), rules.keyring
    )
    pending = organization_sign_in.check_return(taken, back.binding, lasts, now)
    provider = await identity_providers.by_id(conn, pending.provider_id, rules.keyring)
    if provider is None or back.error is not None or not back.code:
        raise OrganizationSignInRefused("provider_refused", organization_sign_in.NOT_ACCEPTED)
    discovery = await oidc.discover(provider.issuer, now)
    id_token = await oidc.exchange(
        provider, discovery, back.code, pending.code_verifier, redirect_uri
    )
    claims = await oidc.signed_claims(discovery, id_token, now)
    organization_sign_in.check_id_token(claims, provider, pending.nonce, now)
    person = await _person_signing_in(conn, rules.keyring, provider, claims, now)
    await people.record_event(conn, person.id, "oidc_ok", now)
    if organization_sign_in.shows_mfa(provider, claims):
        await people.record_event(conn, person.id, "signed_in", now)
        return await open_session(conn, Stage.SIGNED_IN, now, person)
    return await open_session(conn, Stage.PASSWORD_OK, now, person)  # her TOTP code next


async def _person_signing_in(
    conn: Connection,
    keyring: Keyring,
    provider: IdentityProvider,
    claims: Mapping[str, Any],
    now: datetime,
) -> Person:
    """The provider's organization's person: linked by `sub` since her first sign-in, or found
    by the email the provider verified. Never a new account, never another organization's."""
    subject = str(claims["sub"])
    linked = await identity_providers.person_of_subject(conn, provider.id, subject)
    if linked is not None:
        person = await people.by_id(conn, linked, keyring)
    else:
        email = organization_sign_in.verified_email(claims, provider)
        person = await people.by_email(conn, email, keyring) if email else None
    if person is None or person.organization_id != provider.organization_id:
        raise OrganizationSignInRefused("unknown_person", organization_sign_in.NO_ACCOUNT)
    if person.disabled_at is not None:
        raise OrganizationSignInRefused("disabled", organization_sign_in.DISABLED, person.id)
    if linked is None and not await identity_providers.link_subject(
        conn, provider.id, subject, person.id, now
    ):
        raise OrganizationSignInRefused(
            "subject_mismatch", organization_sign_in.LINKED_ELSEWHERE, person.id
        )
    return person
