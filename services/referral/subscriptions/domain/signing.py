"""Standard Webhooks secrets and signatures (https://www.standardwebhooks.com).

Each delivery carries `webhook-id` (the notification id: the subscriber's deduplication key),
`webhook-timestamp` (Unix seconds) and `webhook-signature`: `v1,<base64 HMAC-SHA256>` of
`id.timestamp.body`. During a secret rotation the header holds two space-separated signatures,
one per secret, and a subscriber holding either secret verifies the delivery.

Secrets are stored as issued (the worker needs them to sign) and shown to the owner only when
issued, at creation or rotation; they never appear in any other response or in the logs.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32  # the specification asks for 24 to 64 random bytes
ROTATION_OVERLAP_S = 24 * 3600


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def active_secrets(
    secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> list[str]:
    """The secrets to sign with now: the current one, and the previous one while it overlaps."""
    if previous and previous_expires_at is not None and now < previous_expires_at:
        return [secret, previous]
    return [secret]


def signature_headers(
    msg_id: str, body: str, signing_secrets: Sequence[str], at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`, signed with every secret given."""
    at = at.astimezone(UTC)
    signatures = " ".join(Webhook(s).sign(msg_id, at, body) for s in signing_secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(at.timestamp())),
        "webhook-signature": signatures,
    }
