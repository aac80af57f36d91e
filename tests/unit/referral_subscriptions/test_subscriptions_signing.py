"""Deliveries verify with the standardwebhooks library (v1) or ed25519 public keys (v1a), with
either key during a rotation."""

import base64
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.signing import (
    active_secrets,
    new_secret,
    new_signing_key,
    public_key_of,
    shared_secret,
    signature_headers,
)

BODY = orjson.dumps({"type": payloads.HANDSHAKE, "event_number": 0}).decode()


@pytest.fixture
def now() -> datetime:
    """Signed at the test's own moment: the verifier refuses timestamps over 5 minutes old,
    and the suite can take longer than that between import and this test."""
    return datetime.now(UTC)


def test_secrets_follow_the_standard_webhooks_format() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64
    assert new_secret() != secret


def test_a_delivery_verifies_with_its_secret(now: datetime) -> None:
    secret = new_secret()
    headers = signature_headers("msg-1", BODY, [secret], now)
    assert headers["webhook-id"] == "msg-1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert Webhook(secret).verify(BODY, headers) == orjson.loads(BODY)


def test_a_delivery_does_not_verify_with_another_secret_or_a_changed_body(now: datetime) -> None:
    headers = signature_headers("msg-1", BODY, [new_secret()], now)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY.replace("0", "1"), headers)


def test_during_a_rotation_both_signatures_verify(now: datetime) -> None:
    old, new = new_secret(), new_secret()
    signing = active_secrets(new, old, now + timedelta(hours=24), now)
    assert signing == [new, old]
    headers = signature_headers("msg-2", BODY, signing, now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(s.startswith("v1,") for s in headers["webhook-signature"].split(" "))
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_after_the_overlap_only_the_new_secret_signs(now: datetime) -> None:
    old, new = new_secret(), new_secret()
    assert active_secrets(new, old, now - timedelta(seconds=1), now) == [new]
    assert active_secrets(new, None, None, now) == [new]
    headers = signature_headers("msg-3", BODY, active_secrets(new, old, now, now), now)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, headers)


def test_v1a_keys_sign_with_ed25519_that_the_public_key_verifies(now: datetime) -> None:
    key = new_signing_key("v1a")
    public = public_key_of(key)
    assert key.startswith("whsk_") and public is not None and public.startswith("whpk_")
    assert len(base64.b64decode(public.removeprefix("whpk_"))) == 32
    assert shared_secret(key) is None and public_key_of(new_secret()) is None
    old = new_signing_key("v1a")
    headers = signature_headers("msg-4", BODY, [key, old], now)
    signatures = headers["webhook-signature"].split(" ")
    assert [s.split(",")[0] for s in signatures] == ["v1a", "v1a"]
    signed = f"msg-4.{headers['webhook-timestamp']}.{BODY}".encode()
    for signing, signature in zip((key, old), signatures, strict=True):
        verifier = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(str(public_key_of(signing)).removeprefix("whpk_"))
        )
        verifier.verify(base64.b64decode(signature.split(",")[1]), signed)
        with pytest.raises(InvalidSignature):
            verifier.verify(base64.b64decode(signature.split(",")[1]), signed + b" ")
