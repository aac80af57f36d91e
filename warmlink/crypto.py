"""Authenticated encryption for secrets and PHI at rest: AES-256-GCM with key ids.

A sealed value is `kid || nonce || ciphertext+tag`, so keys can be rotated: new values are sealed
with the current key, old ones still open with the key named in their header. The associated
data binds a value to its place (table, column, row id): a ciphertext copied elsewhere fails.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12
_KID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # printable, in a one-byte length header


class CannotOpen(Exception):
    """Wrong key, unknown key id, or a value that was tampered with."""


def new_key() -> str:
    """A fresh 256-bit key, base64 (for settings files and environment variables)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


@dataclass(frozen=True)
class Keyring:
    current: str  # key id used to seal
    keys: Mapping[str, bytes] = field(repr=False)  # key id -> 32-byte key; never printed

    @classmethod
    def single(cls, kid: str, key_b64: str) -> Keyring:
        return cls(kid, {kid: base64.b64decode(key_b64)})

    @classmethod
    def configured(
        cls, ring: str | None, current: str | None, legacy: tuple[str, str] | None = None
    ) -> Keyring | None:
        """The ring a service's settings describe, or None when they name no key.

        `ring` is `kid:base64,kid:base64` (SEAL_KEYS), `current` the key id new values are sealed
        with (SEAL_KEY_ID), `legacy` the (kid, base64) of a service's older single-key setting,
        which joins the ring. Raises ValueError on anything a service must not start with."""
        keys = parse_ring(ring) if ring else {}
        if legacy is not None:
            kid, key = legacy[0], _key_bytes(legacy[0], legacy[1])
            if keys.get(kid, key) != key:
                raise ValueError(f"key id {kid!r} names two different keys")
            keys[kid] = key
        if not keys:
            if current:
                raise ValueError(f"SEAL_KEY_ID names {current!r} but no key is configured")
            return None
        chosen = (
            current
            or (legacy[0] if legacy else None)
            or (next(iter(keys)) if len(keys) == 1 else None)
        )
        if chosen is None:
            raise ValueError("SEAL_KEY_ID must name the current key when SEAL_KEYS holds several")
        if chosen not in keys:
            raise ValueError(f"SEAL_KEY_ID {chosen!r} is not in the key ring ({', '.join(keys)})")
        return cls(chosen, keys)

    def is_current(self, sealed: bytes) -> bool:
        """Whether `sealed` was sealed with the current key (else a re-seal moves it there)."""
        return kid_of(sealed) == self.current

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        kid = self.current.encode()
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, associated)
        return bytes([len(kid)]) + kid + nonce + sealed

    def reseal(self, sealed: bytes, associated: bytes = b"") -> bytes:
        """The same value sealed with the current key, in the same place."""
        return self.seal(self.open(sealed, associated), associated)

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        try:
            size = sealed[0]
            kid = sealed[1 : 1 + size].decode()
            nonce = sealed[1 + size : 1 + size + _NONCE]
            key = self.keys[kid]
            return AESGCM(key).decrypt(nonce, sealed[1 + size + _NONCE :], associated)
        except Exception as exc:
            raise CannotOpen("value cannot be opened with this keyring") from exc


def kid_of(sealed: bytes) -> str:
    """The id of the key a value was sealed with (its header), without opening it."""
    return sealed[1 : 1 + sealed[0]].decode("utf-8", "replace") if sealed else ""


def parse_ring(text: str) -> dict[str, bytes]:
    """`kid:base64,kid:base64` -> {kid: 32-byte key}; ValueError names the entry, never a key."""
    keys: dict[str, bytes] = {}
    for number, entry in enumerate((e.strip() for e in text.split(",")), start=1):
        kid, sep, key_b64 = entry.partition(":")
        kid = kid.strip()
        if not sep or not _KID.fullmatch(kid):  # no kid: the entry may be a key, never shown
            raise ValueError(f"SEAL_KEYS entry {number} is not kid:base64-key")
        if kid in keys:
            raise ValueError(f"key id {kid!r} appears twice in SEAL_KEYS")
        keys[kid] = _key_bytes(kid, key_b64.strip())
    return keys


def _key_bytes(kid: str, key_b64: str) -> bytes:
    try:
        key = base64.b64decode(key_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"key {kid!r} is not base64") from None
    if len(key) != 32:
        raise ValueError(f"key {kid!r} is {len(key)} bytes, not 32 (AES-256)")
    return key
