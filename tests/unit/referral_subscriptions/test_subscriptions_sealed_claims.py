"""A claimed notification is signed with its subscription's secret, opened from its sealed form;
one secret that does not open stops its own subscription only."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from services.referral.subscriptions.adapters.claims import opened_claims
from services.referral.subscriptions.adapters.sealing import seal
from warmlink.crypto import Keyring, new_key

KEYRING = Keyring.single("phi-1", new_key())


def _row(
    subscription_id: uuid.UUID, sealed: bytes, previous: bytes | None = None
) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "subscription_id": subscription_id,
        "event_number": 1,
        "payload": orjson.dumps({"type": "referral.status_changed"}).decode(),
        "attempts": 1,
        "window_started_at": datetime.now(UTC),
        "url": "https://example.org/hook",
        "secret_sealed": sealed,
        "previous_secret_sealed": previous,
        "previous_secret_expires_at": None,
    }


def test_claims_carry_their_opened_secrets(caplog: pytest.LogCaptureFixture) -> None:
    good, copied = uuid.uuid4(), uuid.uuid4()
    rows = [
        _row(good, seal(KEYRING, good, "whsec_new"), seal(KEYRING, good, "whsec_old")),
        # Sealed for `good`, found in another subscription's row: bound to its own, it fails.
        _row(copied, seal(KEYRING, good, "whsec_new")),
    ]
    with caplog.at_level(logging.ERROR):
        claims = opened_claims(rows, KEYRING)
    assert [(c.subscription_id, c.secret, c.previous_secret) for c in claims] == [
        (good, "whsec_new", "whsec_old")
    ]
    [record] = [r for r in caplog.records if "cannot be opened" in r.getMessage()]
    assert record.subscription_id == str(copied)  # type: ignore[attr-defined]
    assert "whsec" not in caplog.text


def test_a_keyring_without_the_sealing_key_opens_nothing() -> None:
    subscription = uuid.uuid4()
    other = Keyring.single("phi-2", new_key())
    assert opened_claims([_row(subscription, seal(KEYRING, subscription, "whsec_x"))], other) == []
