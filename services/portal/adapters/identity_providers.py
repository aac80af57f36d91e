"""Organizations' identity providers, sign-ins under way and the subjects linked to people, in
the portal's PostgreSQL. A provider's client secret and a sign-in's PKCE verifier are sealed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.portal.domain.organization_sign_in import IdentityProvider, PendingSignIn
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.rows import from_row

INSERT_PROVIDER = """
INSERT INTO identity_providers
    (id, organization_id, display_name, issuer, client_id, client_secret, mfa_trusted)
VALUES ($1, $2, $3, $4, $5, $6, $7)"""
# ON CONFLICT DO NOTHING: the domains that were already taken are the ones not returned.
INSERT_DOMAINS = """
INSERT INTO identity_provider_domains (domain, provider_id)
SELECT unnest($1::text[]), $2
ON CONFLICT (domain) DO NOTHING RETURNING domain"""
WITH_DOMAINS = """
SELECT p.*, array(SELECT d.domain FROM identity_provider_domains d
                  WHERE d.provider_id = p.id ORDER BY d.domain) AS email_domains
FROM identity_providers p"""
PROVIDER_BY_ID = WITH_DOMAINS + " WHERE p.id = $1"
ALL_PROVIDERS = WITH_DOMAINS + " ORDER BY p.display_name, p.id"
LINKS = "SELECT id, display_name FROM identity_providers ORDER BY display_name, id"

INSERT_PENDING = """
INSERT INTO organization_sign_ins
    (state_sha256, binding_sha256, provider_id, nonce, code_verifier, created_at)
VALUES ($1, $2, $3, $4, $5, $6)"""
# Used once: the row goes as it is read, so a replayed state finds nothing.
TAKE_PENDING = "DELETE FROM organization_sign_ins WHERE state_sha256 = $1 RETURNING *"
SWEEP_PENDING = "DELETE FROM organization_sign_ins WHERE created_at < $1"

PERSON_OF_SUBJECT = (
    "SELECT person_id FROM person_identities WHERE provider_id = $1 AND subject = $2"
)
LINK_SUBJECT = """
INSERT INTO person_identities (provider_id, subject, person_id, linked_at)
VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING person_id"""


def secret_bound_to(provider_id: object) -> bytes:
    """A sealed client secret opens in its own provider's row only."""
    return str(provider_id).encode()


def verifier_bound_to(state_sha256: bytes) -> bytes:
    """A sealed PKCE verifier opens for its own sign-in's state only."""
    return bytes(state_sha256)


def _provider(row: asyncpg.Record, keyring: Keyring) -> IdentityProvider:
    secret = keyring.open(bytes(row["client_secret"]), secret_bound_to(row["id"])).decode()
    return from_row(
        IdentityProvider, row, client_secret=secret, email_domains=tuple(row["email_domains"])
    )


async def add(conn: Connection, provider: IdentityProvider, keyring: Keyring) -> list[str]:
    """Adds the provider; returns the email domains another provider already has (then the
    caller rolls back)."""
    sealed = keyring.seal(provider.client_secret.encode(), secret_bound_to(provider.id))
    await conn.execute(
        INSERT_PROVIDER,
        provider.id,
        provider.organization_id,
        provider.display_name,
        provider.issuer,
        provider.client_id,
        sealed,
        provider.mfa_trusted,
    )
    added = {
        r["domain"]
        for r in await conn.fetch(INSERT_DOMAINS, list(provider.email_domains), provider.id)
    }
    return [d for d in provider.email_domains if d not in added]


async def by_id(conn: Connection, provider_id: UUID, keyring: Keyring) -> IdentityProvider | None:
    row = await conn.fetchrow(PROVIDER_BY_ID, provider_id)
    return _provider(row, keyring) if row else None


async def every(conn: Connection, keyring: Keyring) -> list[IdentityProvider]:
    return [_provider(r, keyring) for r in await conn.fetch(ALL_PROVIDERS)]


async def links(conn: Connection) -> list[tuple[UUID, str]]:
    """Each provider's id and name, for the sign-in page's links (no secret opened)."""
    return [(r["id"], r["display_name"]) for r in await conn.fetch(LINKS)]


async def add_pending(conn: Connection, p: PendingSignIn, keyring: Keyring) -> None:
    sealed = keyring.seal(p.code_verifier.encode(), verifier_bound_to(p.state_sha256))
    await conn.execute(
        INSERT_PENDING,
        p.state_sha256,
        p.binding_sha256,
        p.provider_id,
        p.nonce,
        sealed,
        p.created_at,
    )


async def take_pending(
    conn: Connection, state_sha256: bytes, keyring: Keyring
) -> PendingSignIn | None:
    row = await conn.fetchrow(TAKE_PENDING, state_sha256)
    if row is None:
        return None
    verifier = keyring.open(bytes(row["code_verifier"]), verifier_bound_to(state_sha256)).decode()
    return from_row(
        PendingSignIn,
        row,
        state_sha256=bytes(row["state_sha256"]),
        binding_sha256=bytes(row["binding_sha256"]),
        code_verifier=verifier,
    )


async def sweep_pending(conn: Connection, before: datetime) -> None:
    await conn.execute(SWEEP_PENDING, before)


async def person_of_subject(conn: Connection, provider_id: UUID, subject: str) -> UUID | None:
    found: UUID | None = await conn.fetchval(PERSON_OF_SUBJECT, provider_id, subject)
    return found


async def link_subject(
    conn: Connection, provider_id: UUID, subject: str, person_id: UUID, now: datetime
) -> bool:
    """False when she is linked to another subject of this provider already."""
    return await conn.fetchval(LINK_SUBJECT, provider_id, subject, person_id, now) is not None
