"""Authenticated encryption for secrets and PHI at rest: AES-256-GCM with key ids.

A sealed value is `kid || nonce || ciphertext+tag`, so keys can be rotated: new values are sealed
with the current key, old ones still open with the key named in their header. The associated
data binds a value to its place (table, column, row id): a ciphertext copied elsewhere fails.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class CannotOpen(Exception):
    """Wrong key, unknown key id, or a value that was tampered with."""


def new_key() -> str:
    """A fresh 256-bit key, base64 (for settings files and environment variables)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


@dataclass(frozen=True)
class Keyring:
    current: str  # key id used to seal
    keys: Mapping[str, bytes]  # key id -> 32-byte key

    @classmethod
    def single(cls, kid: str, key_b64: str) -> Keyring:
        return cls(kid, {kid: base64.b64decode(key_b64)})

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        kid = self.current.encode()
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, associated)
        return bytes([len(kid)]) + kid + nonce + sealed

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        try:
            size = sealed[0]
            kid = sealed[1 : 1 + size].decode()
            nonce = sealed[1 + size : 1 + size + _NONCE]
            key = self.keys[kid]
            return AESGCM(key).decrypt(nonce, sealed[1 + size + _NONCE :], associated)
        except Exception as exc:
            raise CannotOpen("value cannot be opened with this keyring") from exc
