"""Identity: tokens for client credentials, and the signing keys behind them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.directory.adapters import clients, repository, signing_keys
from services.directory.domain.errors import ClientRefused, ExchangeRefused
from services.directory.domain.model import REFERRING_KINDS, OrgKind, OrgStatus
from services.directory.settings import DirectorySettings
from warmlink.auth import PERSON_PREFIX, PersonRole, Role
from warmlink.db import Connection
from warmlink.roles import person_role_fits
from warmlink.tokens import issue_token as sign


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


def role_for(kind: str) -> Role:
    if kind in REFERRING_KINDS:
        return Role.CLINIC
    if kind == OrgKind.PRACTICE:
        return Role.PRACTICE
    return Role.ADMIN


async def issue_access_token(
    conn: Connection,
    settings: DirectorySettings,
    client_id: str,
    client_secret: str,
    now: datetime,
) -> AccessToken:
    client = await clients.authenticate(conn, client_id, client_secret)
    if client is None:
        raise ClientRefused("Unknown client or wrong secret.")
    if client.status != OrgStatus.ACTIVE:
        raise ClientRefused("This organization is suspended from the network.")
    key = await current_signing_key(conn, settings, now)
    token = sign(
        key.private_pem,
        organization_id=client.organization_id,
        role=role_for(client.kind),
        subject=client.client_id,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        ttl_s=settings.token_ttl_s,
        now=time.time(),
        kid=key.kid,
    )
    return AccessToken(token, settings.token_ttl_s)


@dataclass(frozen=True)
class PersonExchange:
    """RFC 8693: a client that acts for people asks for a token naming one of them."""

    client_id: str
    client_secret: str
    person_subject: str  # person:<uuid>
    organization_id: str
    person_role: str


async def exchange_for_person(
    conn: Connection, settings: DirectorySettings, c: PersonExchange, now: datetime
) -> AccessToken:
    """A short-lived token whose subject is the person, with her organization's access role,
    her `person_role`, and `act` naming the client. The client vouches for the person (it signed
    her in); the directory checks the client may, and that organization and role fit."""
    client = await clients.authenticate(conn, c.client_id, c.client_secret)
    if client is None:
        raise ClientRefused("Unknown client or wrong secret.")
    if client.status != OrgStatus.ACTIVE:
        raise ClientRefused("This organization is suspended from the network.")
    if not client.acts_for_people:
        raise ClientRefused("This client may not act for people.")
    person_id = _person_id(c.person_subject)
    org = await repository.get_organization(conn, c.organization_id)
    if org is None or org["status"] != OrgStatus.ACTIVE:
        raise ExchangeRefused("No active organization of that id.", "/organization_id")
    access = role_for(org["kind"])
    try:
        person_role = PersonRole(c.person_role)
    except ValueError:
        raise ExchangeRefused("Unknown person role.", "/person_role") from None
    if not person_role_fits(access, person_role):
        raise ExchangeRefused(f"A {org['kind']} has no {person_role}.", "/person_role")
    key = await current_signing_key(conn, settings, now)
    token = sign(
        key.private_pem,
        organization_id=c.organization_id,
        role=access,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        ttl_s=settings.person_token_ttl_s,
        now=time.time(),
        kid=key.kid,
        person=(person_id, person_role, client.client_id),
    )
    return AccessToken(token, settings.person_token_ttl_s)


def _person_id(subject: str) -> str:
    try:
        if not subject.startswith(PERSON_PREFIX):
            raise ValueError(subject)
        return str(UUID(subject.removeprefix(PERSON_PREFIX)))
    except ValueError:
        raise ExchangeRefused("subject_token must be person:<uuid>.", "/subject_token") from None


async def current_signing_key(
    conn: Connection, settings: DirectorySettings, now: datetime
) -> signing_keys.SigningKey:
    return await signing_keys.active_or_first_key(conn, settings.keyring(), now, settings.token_ttl)


async def rotate_signing_key(
    conn: Connection, settings: DirectorySettings, now: datetime
) -> signing_keys.SigningKey:
    """Sign new tokens with a new key; the old key stays published until its tokens expire.
    Runs in the caller's transaction, which holds the rotation lock until it commits."""
    return await signing_keys.rotate(conn, settings.keyring(), now, settings.token_ttl)
