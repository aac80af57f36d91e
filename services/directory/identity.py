"""Identity handlers: client credentials, token issuance, key rotation, suspension."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from services.directory.adapters import clients, signing_keys
from services.directory.domain.model import REFERRING_KINDS, OrgKind, OrgStatus
from services.directory.settings import DirectorySettings
from warmlink.auth import Role
from warmlink.db import Connection
from warmlink.problems import Problem
from warmlink.tokens import issue_token as sign


class InvalidClient(Problem):
    """RFC 6749 `invalid_client`, rendered as problem+json with the OAuth `error` member."""

    status, title, slug = 401, "Unauthorized", "invalid-client"

    def __init__(self, detail: str) -> None:
        super().__init__(
            detail,
            headers={"WWW-Authenticate": 'Basic realm="warmlink"'},
            error="invalid_client",
            error_description=detail,
        )


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
        raise InvalidClient("Unknown client or wrong secret.")
    if client.status != OrgStatus.ACTIVE:
        raise InvalidClient("This organization is suspended from the network.")
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
    keyring = settings.keyring()
    key = await signing_keys.active_key(conn, keyring)
    if key is None:  # first start: make the network's first key
        async with conn.transaction():
            await conn.execute(signing_keys.LOCK_KEYS)
            key = await signing_keys.active_key(conn, keyring) or await signing_keys.rotate(
                conn, keyring, now, settings.token_ttl
            )
    return key
