"""Identity: tokens for client credentials, and the signing keys behind them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from services.directory.adapters import clients, signing_keys
from services.directory.domain.errors import ClientRefused
from services.directory.domain.model import REFERRING_KINDS, OrgKind, OrgStatus
from services.directory.settings import DirectorySettings
from warmlink.auth import Role
from warmlink.db import Connection
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
