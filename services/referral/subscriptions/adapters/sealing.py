"""Webhook secrets at rest: sealed with the referral service's keyring, bound to their
subscription (migrations/015). A secret is opened only to sign a delivery."""

from __future__ import annotations

import logging
from uuid import UUID

from warmlink.crypto import Keyring
from warmlink.db import Connection

log = logging.getLogger(__name__)

# Secrets a database from before migration 015 holds as issued.
STORED_AS_ISSUED = """
SELECT id, secret, previous_secret FROM subscriptions WHERE secret IS NOT NULL
FOR UPDATE SKIP LOCKED"""
SEAL_STORED = """
UPDATE subscriptions SET secret_sealed = $2, previous_secret_sealed = $3,
    secret = NULL, previous_secret = NULL
WHERE id = $1"""


def _bound_to(subscription_id: UUID) -> bytes:
    # The subscription, not the column: a rotation moves the current secret to `previous`.
    return b"webhook-secret:" + subscription_id.bytes


def seal(keyring: Keyring, subscription_id: UUID, secret: str) -> bytes:
    return keyring.seal(secret.encode(), _bound_to(subscription_id))


def open_sealed(keyring: Keyring, subscription_id: UUID, sealed: bytes) -> str:
    return keyring.open(sealed, _bound_to(subscription_id)).decode()


async def seal_stored_secrets(conn: Connection, keyring: Keyring) -> int:
    """Seal the secrets stored as issued, before any delivery (at startup; every process may run
    it, SKIP LOCKED keeps two from sealing one row). Returns how many subscriptions it sealed."""
    async with conn.transaction():
        rows = await conn.fetch(STORED_AS_ISSUED)
        await conn.executemany(
            SEAL_STORED,
            [
                (
                    row["id"],
                    seal(keyring, row["id"], row["secret"]),
                    None
                    if row["previous_secret"] is None
                    else seal(keyring, row["id"], row["previous_secret"]),
                )
                for row in rows
            ],
        )
    if rows:
        log.info("webhook secrets sealed at rest", extra={"subscriptions": len(rows)})
    return len(rows)
