"""Sessions: how long a signed-in person stays signed in, and what a session may do.

HIPAA 164.312(a)(2)(iii): automatic logoff. A session ends after `idle` without a request and
after `longest` in any case (docs/domain.md). The id the browser holds is never stored: only its
SHA-256 digest is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID


class Stage(StrEnum):
    ANONYMOUS = "anonymous"  # holds a CSRF token for the sign-in form
    PASSWORD_OK = "password_ok"  # noqa: S105 - waits for the second factor
    SIGNED_IN = "signed_in"


class Ending(StrEnum):
    SIGNED_OUT = "signed_out"
    IDLE = "idle"
    TOO_OLD = "too_old"
    DISABLED = "disabled"
    REPLACED = "replaced"  # a new id after each step of sign-in (no session fixation)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=15)
    longest: timedelta = timedelta(hours=12)
    # The second factor must follow the password within this.
    second_factor_within: timedelta = timedelta(minutes=5)
    # A session's last request is written at most this often: a page costs no write (and no
    # WAL flush) while she keeps working, and the idle limit is kept to within this much.
    touch_every: timedelta = timedelta(seconds=30)

    def needs_touch(self, session: Session, now: datetime) -> bool:
        return now - session.last_seen_at >= self.touch_every

    def ending(self, session: Session, now: datetime) -> Ending | None:
        """Why the session is over at `now`, or None while it lasts."""
        if session.ended is not None:
            return session.ended
        if now - session.created_at >= self.longest:
            return Ending.TOO_OLD
        limit = self.idle
        if session.stage is Stage.PASSWORD_OK:
            limit = min(limit, self.second_factor_within)
        if now - session.last_seen_at >= limit:
            return Ending.IDLE
        return None


@dataclass(frozen=True)
class Session:
    id_sha256: bytes
    stage: Stage
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    person_id: UUID | None = None
    ended: Ending | None = None

    def csrf_matches(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf_token, token)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def digest(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()
