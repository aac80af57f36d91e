"""Standard Webhooks keys and signatures (https://www.standardwebhooks.com).

Each delivery carries `webhook-id` (the notification id: the subscriber's deduplication key),
`webhook-timestamp` (Unix seconds) and `webhook-signature`, a space-separated list of signatures
of `id.timestamp.body`, one per signing key in use. A subscription chooses its scheme:

- `v1` (the default): HMAC-SHA256 with a shared secret, `whsec_` + base64. The subscriber holds
  the same secret, shown once when issued.
- `v1a`: ed25519. The service makes a key pair per subscription and keeps the secret key
  (`whsk_` + base64 of its 32 raw bytes); the subscriber gets only the public key (`whpk_` +
  base64 of its 32 raw bytes), so whoever can verify a delivery still cannot forge one.

Either key is sealed at rest (adapters/sealing.py) and opened only to sign. During a rotation the
header holds two signatures, the new key's and the old one's, so a subscriber holding either
the old or the new secret (or public key) verifies the delivery.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from standardwebhooks import Webhook

Scheme = Literal["v1", "v1a"]
SCHEMES: tuple[Scheme, ...] = ("v1", "v1a")
SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_KEY_PREFIX = "whsk_"  # noqa: S105 - the format's prefix, not a secret
PUBLIC_KEY_PREFIX = "whpk_"
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
ROTATION_OVERLAP_S = 24 * 3600


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_signing_key(scheme: str) -> str:
    """A fresh signing key for `scheme`: a `whsec_` secret (v1) or a `whsk_` ed25519 key (v1a)."""
    if scheme == "v1":
        return new_secret()
    if scheme == "v1a":
        raw = Ed25519PrivateKey.generate().private_bytes_raw()
        return SECRET_KEY_PREFIX + base64.b64encode(raw).decode()
    raise ValueError(f"unknown signature scheme {scheme!r}")


def public_key_of(signing_key: str) -> str | None:
    """The `whpk_` public key a v1a subscriber verifies with; None for a shared v1 secret."""
    if not signing_key.startswith(SECRET_KEY_PREFIX):
        return None
    raw = _ed25519(signing_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PUBLIC_KEY_PREFIX + base64.b64encode(raw).decode()


def shared_secret(signing_key: str) -> str | None:
    """What the subscriber is shown of a new key: a v1 secret itself (it verifies with it), and
    nothing of a v1a secret key (it verifies with the public key)."""
    return None if signing_key.startswith(SECRET_KEY_PREFIX) else signing_key


def _ed25519(signing_key: str) -> Ed25519PrivateKey:
    raw = base64.b64decode(signing_key.removeprefix(SECRET_KEY_PREFIX))
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(signing_key: str, msg_id: str, at: datetime, body: str) -> str:
    """One signature of `body`, with its scheme's prefix (`v1,...` or `v1a,...`)."""
    if signing_key.startswith(SECRET_KEY_PREFIX):
        signed = f"{msg_id}.{math.floor(at.timestamp())}.{body}".encode()
        return "v1a," + base64.b64encode(_ed25519(signing_key).sign(signed)).decode()
    return Webhook(signing_key).sign(msg_id, at, body)


def active_secrets(
    secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The keys to sign with now: the current one, and the previous one while it overlaps."""
    if previous and previous_expires_at is not None and now < previous_expires_at:
        return [secret, previous]
    return [secret]


def signature_headers(
    msg_id: str, body: str, signing_keys: Sequence[str], at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed with every key given."""
    at = at.astimezone(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": " ".join(sign(k, msg_id, at, body) for k in signing_keys),
    }
