"""Sign-in through an organization's own identity provider (OpenID Connect, code + PKCE), and
the providers' registration. Each function runs in the caller's transaction, never commits and
never speaks HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.portal.adapters import (
    identity_providers,
    people,
)
from services.portal.adapters.oidc import OidcProviders
from services.portal.domain import organization_sign_in
from services.portal.domain.errors import (
    EmailDomainTaken,
    NoSuchIdentityProvider,
    OrganizationSignInRefused,
)
from services.portal.domain.organization_sign_in import IdentityProvider
from services.portal.domain.people import Person
from services.portal.domain.sessions import (
    Stage,
)
from services.portal.service_layer.commands.sessions import Opened, Rules, open_session
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.errors import Invalid


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
