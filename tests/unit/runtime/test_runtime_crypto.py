"""Sealed values open only with the right key and in the right place."""

from __future__ import annotations

import pytest

from warmlink.crypto import CannotOpen, Keyring, new_key


def test_a_sealed_value_opens_with_its_key_and_context() -> None:
    ring = Keyring.single("k1", new_key())
    sealed = ring.seal(b"555-0100", b"referrals.phone:42")
    assert b"555-0100" not in sealed
    assert ring.open(sealed, b"referrals.phone:42") == b"555-0100"


def test_a_value_moved_to_another_row_does_not_open() -> None:
    ring = Keyring.single("k1", new_key())
    sealed = ring.seal(b"secret", b"row:1")
    with pytest.raises(CannotOpen):
        ring.open(sealed, b"row:2")


def test_rotation_keeps_old_values_readable_and_seals_with_the_new_key() -> None:
    old = Keyring.single("k1", new_key())
    sealed_before = old.seal(b"before")
    rotated = Keyring("k2", {**old.keys, **Keyring.single("k2", new_key()).keys})
    assert rotated.open(sealed_before) == b"before"
    sealed_after = rotated.seal(b"after")
    with pytest.raises(CannotOpen):
        old.open(sealed_after)


def test_tampering_is_detected() -> None:
    ring = Keyring.single("k1", new_key())
    sealed = bytearray(ring.seal(b"value"))
    sealed[-1] ^= 1
    with pytest.raises(CannotOpen):
        ring.open(bytes(sealed))
