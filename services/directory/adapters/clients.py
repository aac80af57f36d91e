"""Client credentials (OAuth 2.0 client-credentials grant), one or more per organization."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from warmlink.db import Connection
from warmlink.rows import from_row

INSERT_CLIENT = """
INSERT INTO client_credentials (client_id, organization_id, secret_sha256, acts_for_people)
VALUES ($1, $2, $3, $4)"""
FIND_CLIENT = """
SELECT c.client_id, c.secret_sha256, c.acts_for_people, o.id AS organization_id, o.kind, o.status
FROM client_credentials c JOIN organizations o ON o.id = c.organization_id
WHERE c.client_id = $1 AND c.revoked_at IS NULL"""


@dataclass(frozen=True)
class IssuedClient:
    client_id: str
    client_secret: str  # shown once, never stored


@dataclass(frozen=True)
class AuthenticatedClient:
    client_id: str
    organization_id: str
    kind: str
    status: str
    acts_for_people: bool = False  # may exchange for people's tokens (the portal)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


async def create(
    conn: Connection, organization_id: str, acts_for_people: bool = False
) -> IssuedClient:
    client = IssuedClient(f"{organization_id}.{secrets.token_hex(6)}", secrets.token_urlsafe(32))
    await conn.execute(
        INSERT_CLIENT,
        client.client_id,
        organization_id,
        _digest(client.client_secret),
        acts_for_people,
    )
    return client


async def authenticate(
    conn: Connection, client_id: str, client_secret: str
) -> AuthenticatedClient | None:
    row = await conn.fetchrow(FIND_CLIENT, client_id)
    expected = bytes(row["secret_sha256"]) if row else _digest(secrets.token_hex(16))
    ok = hmac.compare_digest(expected, _digest(client_secret))  # constant time either way
    if row is None or not ok:
        return None
    return from_row(AuthenticatedClient, row)
