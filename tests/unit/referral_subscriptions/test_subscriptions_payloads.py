"""Notification payloads are minimal: ids, status and times, nothing that could be PHI."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

from contracts.privacy import is_phi_like
from services.referral.subscriptions.domain import payloads

SUBSCRIPTION, REFERRAL = uuid4(), uuid4()
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def numbered(number: int, shared: dict[str, object]) -> dict[str, object]:
    """As number_and_insert_notifications merges a subscription and its number into the payload
    shared by every subscriber of one change (migration 012)."""
    return shared | {"subscription_id": str(SUBSCRIPTION), "event_number": number}


def every_payload() -> list[dict[str, object]]:
    change = payloads.status_change(
        referral_id=REFERRAL,
        status="acknowledged",
        event_type="IntakeAcknowledged",
        occurred_at=NOW,
        timestamp=NOW,
    )
    return [
        numbered(3, change),
        payloads.handshake(SUBSCRIPTION, NOW),
        numbered(4, payloads.beat(NOW)),
    ]


def test_status_change_carries_exactly_the_minimal_fields() -> None:
    body = every_payload()[0]
    assert body == {
        "subscription_id": str(SUBSCRIPTION),
        "event_number": 3,
        "type": "referral.status_changed",
        "referral_id": str(REFERRAL),
        "status": "acknowledged",
        "event_type": "IntakeAcknowledged",
        "occurred_at": "2026-11-20T10:00:00Z",
        "timestamp": "2026-11-20T10:00:00Z",
    }


def test_no_payload_has_a_phi_like_or_unexpected_key() -> None:
    for body in every_payload():
        assert set(body) <= payloads.ALLOWED_KEYS
        assert not [key for key in body if is_phi_like(key)]


def test_handshake_is_number_zero_and_heartbeat_carries_its_number() -> None:
    handshake, heartbeat = every_payload()[1:]
    assert (handshake["type"], handshake["event_number"]) == ("subscription.handshake", 0)
    assert (heartbeat["type"], heartbeat["event_number"]) == ("subscription.heartbeat", 4)


def test_times_are_utc_with_a_z() -> None:
    chicago = timezone(timedelta(hours=-6))
    assert payloads.iso(datetime(2026, 11, 20, 4, 0, tzinfo=chicago)) == "2026-11-20T10:00:00Z"
    assert payloads.iso(datetime(2026, 11, 20, 10, 0)) == "2026-11-20T10:00:00Z"
