"""One delivery: the claimed notification to send, and what an attempt to send it gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from services.referral.subscriptions.domain.backport import FHIR_JSON
from services.referral.subscriptions.domain.backport_bundles import notification_bundle


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
    # A FHIR Backport subscription's (domain/backport.py): where its references point, and how
    # many events it has had up to this one (heartbeats and the handshake not counted).
    fhir_base: str | None = None
    events_since_start: int | None = None

    def body(self) -> tuple[str, str]:
        """What is POSTed and its content type: the stored payload, or its Backport Bundle."""
        if self.fhir_base is None:
            return orjson.dumps(self.payload).decode(), "application/json"
        bundle = notification_bundle(
            self.id, self.payload, self.events_since_start or 0, self.fhir_base
        )
        return orjson.dumps(bundle).decode(), FHIR_JSON


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
