"""Passwords (argon2id) and second factors (TOTP, RFC 6238). CPU only, no I/O."""

from __future__ import annotations

from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.portal.domain.errors import WeakPassword

MIN_PASSWORD = 12
# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_HASHER = PasswordHasher()
# A hash to check when the email is unknown, so both answers take the same time.
_DECOY = _HASHER.hash("not a real password, only a decoy")
# A code is accepted for its own 30-second step and the one before (a clock a little behind).
TOTP_WINDOW = 1


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(MIN_PASSWORD)
    return _HASHER.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DECOY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    return pyotp.random_base32()


def current_code(secret: str, now: datetime) -> str:
    return pyotp.TOTP(secret).at(now)


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code `code` is, if it is valid now and newer than the last step
    accepted; None otherwise. Keeping the step refuses a replayed code within its window."""
    totp = pyotp.TOTP(secret)
    code = code.strip().replace(" ", "")
    step_now = totp.timecode(now)
    for step in range(step_now - TOTP_WINDOW, step_now + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
