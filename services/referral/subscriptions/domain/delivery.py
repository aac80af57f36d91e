"""One delivery: the claimed notification to send, and what an attempt to send it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Claim:
    """A notification leased for delivery, with its subscription's URL and opened secrets."""

    id: UUID
    subscription_id: UUID
    event_number: int
    payload: dict[str, Any]
    attempt: int
    window_started_at: datetime
    url: str
    secret: str
    previous_secret: str | None
    previous_secret_expires_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt gave: an HTTP status, or an error name (never a message)."""

    http_status: int | None
    error: str | None
    duration_ms: float
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300
