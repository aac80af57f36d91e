"""What a delivery's signature costs: Standard Webhooks v1 (HMAC-SHA256) against v1a (ed25519),
over a status change's body, signed the way the delivery worker signs it (one key, and two
during a rotation). Prints microseconds per delivery; a figure to read, not a test.

    .venv/bin/python -m tools.bench.webhook_signing [rounds]
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime

import orjson

from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.signing import new_signing_key, signature_headers


def per_delivery_us(keys: list[str], body: str, rounds: int) -> float:
    at = datetime.now(UTC)
    started = time.perf_counter()
    for _ in range(rounds):
        signature_headers("msg", body, keys, at)
    return (time.perf_counter() - started) / rounds * 1e6


def main(rounds: int) -> None:
    now = datetime.now(UTC)
    body = orjson.dumps(
        payloads.status_change(
            referral_id=uuid.uuid4(),
            status="scheduled",
            event_type="AppointmentScheduled",
            occurred_at=now,
            timestamp=now,
        )
        | {"subscription_id": str(uuid.uuid4()), "event_number": 7}
    ).decode()
    print(f"body {len(body)} bytes, {rounds} rounds")
    for scheme in ("v1", "v1a"):
        one = per_delivery_us([new_signing_key(scheme)], body, rounds)
        two = per_delivery_us([new_signing_key(scheme), new_signing_key(scheme)], body, rounds)
        print(f"{scheme:4} {one:8.1f} us per delivery, {two:8.1f} us during a rotation")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
