"""Invitations in the portal's PostgreSQL: only the token's SHA-256, the TOTP secret sealed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.portal.domain.invitations import Invitation
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.roles import PersonRole, Role
from warmlink.rows import from_row

INSERT = """
INSERT INTO invitations (id, organization_id, role, access_role, email, token_sha256,
    totp_secret, invited_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING RETURNING id"""
BY_TOKEN = "SELECT * FROM invitations WHERE token_sha256 = $1"  # noqa: S105 - a digest
BY_ID = "SELECT * FROM invitations WHERE id = $1"
# What the administrator still has to act on: neither accepted nor revoked (expired included).
OPEN_OF = """
SELECT * FROM invitations
WHERE organization_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
ORDER BY created_at"""
# A new token, secret and expiry: the old link stops working.
RENEW = """
UPDATE invitations SET token_sha256 = $2, totp_secret = $3, expires_at = $4
WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL"""
REVOKE = """
UPDATE invitations SET revoked_at = $2
WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL"""
# Once, even if two tabs submit together: the second finds it accepted.
ACCEPT = """
UPDATE invitations SET accepted_at = $2, person_id = $3
WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id"""


def totp_bound_to(invitation_id: object) -> bytes:
    """A sealed TOTP secret opens in its own invitation's row only."""
    return f"invitations:{invitation_id}".encode()


def _sealed(keyring: Keyring, invitation_id: UUID, secret: str) -> bytes:
    return keyring.seal(secret.encode(), totp_bound_to(invitation_id))


def _invitation(row: asyncpg.Record, keyring: Keyring) -> Invitation:
    secret = keyring.open(bytes(row["totp_secret"]), totp_bound_to(row["id"]))
    return from_row(
        Invitation,
        row,
        role=PersonRole(row["role"]),
        access_role=Role(row["access_role"]),
        token_sha256=bytes(row["token_sha256"]),
        totp_secret=secret.decode(),
    )


async def add(conn: Connection, i: Invitation, keyring: Keyring) -> bool:
    """False when the email already has an open invitation."""
    added = await conn.fetchval(
        INSERT,
        i.id,
        i.organization_id,
        str(i.role),
        str(i.access_role),
        i.email,
        i.token_sha256,
        _sealed(keyring, i.id, i.totp_secret),
        i.invited_by,
        i.created_at,
        i.expires_at,
    )
    return added is not None


async def by_token(conn: Connection, token_sha256: bytes, keyring: Keyring) -> Invitation | None:
    row = await conn.fetchrow(BY_TOKEN, token_sha256)
    return _invitation(row, keyring) if row else None


async def by_id(conn: Connection, invitation_id: UUID, keyring: Keyring) -> Invitation | None:
    row = await conn.fetchrow(BY_ID, invitation_id)
    return _invitation(row, keyring) if row else None


async def open_of(conn: Connection, org_id: str, keyring: Keyring) -> list[Invitation]:
    return [_invitation(r, keyring) for r in await conn.fetch(OPEN_OF, org_id)]


async def renew(conn: Connection, i: Invitation, keyring: Keyring) -> None:
    secret = _sealed(keyring, i.id, i.totp_secret)
    await conn.execute(RENEW, i.id, i.token_sha256, secret, i.expires_at)


async def revoke(conn: Connection, invitation_id: UUID, now: datetime) -> None:
    await conn.execute(REVOKE, invitation_id, now)


async def accept(conn: Connection, invitation_id: UUID, person_id: UUID, now: datetime) -> bool:
    """False when it was accepted or revoked meanwhile."""
    return await conn.fetchval(ACCEPT, invitation_id, now, person_id) is not None
