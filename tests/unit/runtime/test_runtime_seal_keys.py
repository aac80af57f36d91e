"""The key ring in settings: SEAL_KEYS (kid:base64,...) and SEAL_KEY_ID, validated at start."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.referral.settings import ReferralSettings
from services.screening.settings import ScreeningSettings
from warmlink.crypto import CannotOpen, kid_of, new_key

A, B = new_key(), new_key()
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "database_url": "postgresql://db.internal/screening",
    "kafka_bootstrap_servers": "kafka-1:9092",
    "kafka_profile": "kafka",
    "kafka_security_protocol": "SSL",
    "jwks_url": "https://directory.internal/.well-known/jwks.json",
    "jwt_issuer": "https://directory.internal",
}


def test_a_value_sealed_under_the_old_key_opens_once_the_current_is_the_new_one() -> None:
    before = ScreeningSettings(seal_keys=f"a:{A}", seal_key_id="a").required_seal_keyring()
    sealed = before.seal(b"answers", b"screenings:1")

    after = ScreeningSettings(seal_keys=f"a:{A},b:{B}", seal_key_id="b").required_seal_keyring()
    assert after.open(sealed, b"screenings:1") == b"answers"
    written = after.seal(b"new answers", b"screenings:2")
    assert kid_of(written) == "b" and after.is_current(written)
    assert not after.is_current(sealed)
    with pytest.raises(CannotOpen):  # the old ring alone cannot read what the new key sealed
        before.open(written, b"screenings:2")


def test_the_current_key_must_be_in_the_ring() -> None:
    with pytest.raises(ValidationError, match="SEAL_KEY_ID 'c' is not in the key ring"):
        ScreeningSettings(seal_keys=f"a:{A},b:{B}", seal_key_id="c")
    with pytest.raises(ValidationError, match="must name the current key"):
        ScreeningSettings(seal_keys=f"a:{A},b:{B}")


@pytest.mark.parametrize(
    ("ring", "complaint"),
    [
        ("a:not-base64!", "not base64"),
        ("a:" + "QUJD", "3 bytes, not 32"),
        (f"a:{A},a:{B}", "appears twice"),
        (A, "is not kid:base64-key"),
    ],
)
def test_a_malformed_ring_refuses_to_start_without_printing_a_key(
    ring: str, complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint) as refused:
        ScreeningSettings(seal_keys=ring, seal_key_id="a")
    assert A not in str(refused.value) and B not in str(refused.value)


def test_the_older_single_key_setting_joins_the_ring_and_stays_current_unless_named() -> None:
    old = ReferralSettings(phi_key=A, phi_key_id="phi-1").required_seal_keyring()
    sealed = old.seal(b"patient")
    rotated = ReferralSettings(
        phi_key=A, phi_key_id="phi-1", seal_keys=f"phi-2:{B}", seal_key_id="phi-2"
    ).required_seal_keyring()
    assert rotated.current == "phi-2" and rotated.open(sealed) == b"patient"
    with pytest.raises(ValidationError, match="names two different keys"):
        ReferralSettings(phi_key=A, phi_key_id="phi-1", seal_keys=f"phi-1:{B}")


def test_no_key_at_all_is_refused_in_production_and_at_first_use_elsewhere() -> None:
    with pytest.raises(ValidationError, match="no key seals screening answers"):
        ScreeningSettings(**PRODUCTION)
    assert (
        ScreeningSettings(**PRODUCTION, seal_keys=f"a:{A}").required_seal_keyring().current == "a"
    )
    with pytest.raises(RuntimeError, match="SCREENING_SEAL_KEYS"):
        ScreeningSettings().required_seal_keyring()


def test_a_ring_never_prints_its_keys() -> None:
    ring = ScreeningSettings(seal_keys=f"a:{A},b:{B}", seal_key_id="b").required_seal_keyring()
    shown = repr(ring) + str(ring)
    assert "'b'" in shown
    assert A not in shown and B not in shown and repr(ring.keys["a"]) not in shown
