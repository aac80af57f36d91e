"""Token signing keys: made here, sealed at rest, published as JWKS, rotated without downtime."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from warmlink.crypto import Keyring
from warmlink.db import Connection

LOCK_KEYS = "SELECT pg_advisory_xact_lock(hashtext('warmlink.signing_keys'))"
ACTIVE_KEY = "SELECT kid, private_key FROM signing_keys WHERE retired_at IS NULL"
PUBLISHED_KEYS = """
SELECT kid, public_jwk FROM signing_keys
WHERE unpublish_at IS NULL OR unpublish_at > $1 ORDER BY created_at"""
RETIRE_ACTIVE = """
UPDATE signing_keys SET retired_at = $1, unpublish_at = $2 WHERE retired_at IS NULL"""
INSERT_KEY = """
INSERT INTO signing_keys (kid, private_key, public_jwk, created_at)
VALUES ($1, $2, $3::jsonb, $4)"""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: bytes


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(kid: str, public: Ed25519PublicKey) -> dict[str, str]:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(raw),
        "kid": kid,
        "alg": "EdDSA",
        "use": "sig",
    }


def _associated(kid: str) -> bytes:
    return f"signing_keys.private_key:{kid}".encode()


async def active_key(conn: Connection, keyring: Keyring) -> SigningKey | None:
    row = await conn.fetchrow(ACTIVE_KEY)
    if row is None:
        return None
    pem = keyring.open(bytes(row["private_key"]), _associated(row["kid"]))
    return SigningKey(row["kid"], pem)


async def active_or_first_key(
    conn: Connection, keyring: Keyring, now: datetime, token_ttl: timedelta
) -> SigningKey:
    """The active key; on the network's first start, a first one (made once, however many
    replicas ask at the same moment)."""
    key = await active_key(conn, keyring)
    if key is None:
        async with conn.transaction():
            await conn.execute(LOCK_KEYS)
            key = await active_key(conn, keyring) or await rotate(conn, keyring, now, token_ttl)
    return key


async def published(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    return [orjson.loads(r["public_jwk"]) for r in await conn.fetch(PUBLISHED_KEYS, now)]


async def rotate(
    conn: Connection, keyring: Keyring, now: datetime, token_ttl: timedelta
) -> SigningKey:
    """Make a new active key; the old one stays published for one token lifetime (+1 minute)."""
    await conn.execute(LOCK_KEYS)  # one rotation at a time; callers hold a transaction
    await conn.execute(RETIRE_ACTIVE, now, now + token_ttl + timedelta(minutes=1))
    private = Ed25519PrivateKey.generate()
    kid = f"{now:%Y%m%d}-{secrets.token_hex(4)}"
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwk = public_jwk(kid, private.public_key())
    await conn.execute(
        INSERT_KEY, kid, keyring.seal(pem, _associated(kid)), orjson.dumps(jwk).decode(), now
    )
    return SigningKey(kid, pem)
