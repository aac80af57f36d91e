"""What a notification says. Minimal by design: identifiers, codes and times, never PHI.

A subscriber that needs more reads the referral through the API with its own token; the webhook
only tells it that something changed (a status, or an alert: domain/alerts.py) and which event
number this is, so it can spot a gap.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from contracts import EventPayload
from services.referral.subscriptions.domain.alerts import (
    ALERT_CODES,
    SUBJECT_IDS,
    AlertShape,
    subject_ids,
)

STATUS_CHANGED = "referral.status_changed"
HANDSHAKE = "subscription.handshake"
HEARTBEAT = "subscription.heartbeat"

# Every key a payload may carry; a test checks that nothing else (and nothing PHI-like) appears.
ALLOWED_KEYS = frozenset(
    {
        "subscription_id",
        "event_number",
        "type",
        "referral_id",
        "status",
        "event_type",
        "occurred_at",
        "timestamp",
        # alerts (domain/alerts.py)
        "alert_id",
        "kind",
        "urgent",
        "due_at",
        "raised_at",
        *SUBJECT_IDS,
        *ALERT_CODES,
    }
)


def iso(moment: datetime) -> str:
    """UTC, ISO 8601 with a Z; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def status_change(
    *, referral_id: UUID, status: str, event_type: str, occurred_at: datetime, timestamp: datetime
) -> dict[str, Any]:
    """What every subscriber is told of one change; each notification adds its subscription_id
    and event_number (the database merges them in: the subscription as a change is queued,
    notifications.QUEUE_STATUS_CHANGE, the number as it is numbered, migrations/014), so only
    the handshake is whole here."""
    return {
        "type": STATUS_CHANGED,
        "referral_id": str(referral_id),
        "status": status,
        "event_type": event_type,
        "occurred_at": iso(occurred_at),
        "timestamp": iso(timestamp),
    }


def alert(
    shape: AlertShape, *, alert_id: UUID, event: EventPayload, timestamp: datetime
) -> dict[str, Any]:
    """What the referring site's subscribers are told of one alert (merged in as for changes):
    the event's subject ids, its coded kind, deadline and time raised. `alert_id` is the
    integration event's id, the same in every subscription, so an organization with two
    subscriptions can tell one alert told twice from two alerts."""
    body: dict[str, Any] = {"type": shape.type, "alert_id": str(alert_id)}
    body |= {name: str(value) for name, value in subject_ids(event).items() if value is not None}
    body |= {
        "event_type": event.TYPE,
        "kind": _code(getattr(event, shape.kind)),
        "raised_at": iso(getattr(event, shape.raised)),
        "timestamp": iso(timestamp),
    }
    if shape.due is not None:
        body["due_at"] = iso(getattr(event, shape.due))
    if isinstance(urgent := getattr(event, "urgent", None), bool):
        body["urgent"] = urgent
    body |= {name: _code(getattr(event, name)) for name in shape.codes}
    return body


def _code(value: Any) -> Any:
    """A code as its value; a tuple of codes as a list of values."""
    if isinstance(value, list | tuple):
        return [_code(v) for v in value]
    return value.value if isinstance(value, Enum) else str(value)


def handshake(subscription_id: UUID, timestamp: datetime) -> dict[str, Any]:
    return {
        "subscription_id": str(subscription_id),
        "event_number": 0,
        "type": HANDSHAKE,
        "timestamp": iso(timestamp),
    }


def beat(timestamp: datetime) -> dict[str, Any]:
    """A heartbeat without its subscription_id and event_number (merged in as for changes)."""
    return {"type": HEARTBEAT, "timestamp": iso(timestamp)}
