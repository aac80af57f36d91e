"""Alerts as notifications: each row of ALERTS names fields its event really has, and an alert's
payload is minimal (ids, codes, times), PHI-free, and the same for every subscriber."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from typing import get_args
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import EventPayload, GateAlertRaised, SlaBreached
from contracts.events import ALL_EVENTS
from contracts.privacy import is_phi_like
from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.alerts import ALERTS, SUBJECT_IDS, shape_of
from services.referral.subscriptions.entrypoints.schemas import SubscriptionIn

EVENTS = {c.TYPE: c for c in ALL_EVENTS}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
ALERT_ID = uuid4()
BASE = {"referral_id": uuid4(), "site_id": "riverside-ob", "practice_id": "bloom-therapy"}


def breach(kind: str) -> SlaBreached:
    fields = {"kind": kind, "due_at": NOW - timedelta(hours=2), "detected_at": NOW, "urgent": True}
    return SlaBreached.model_validate(BASE | fields)


def gate() -> GateAlertRaised:
    return GateAlertRaised.model_validate(
        BASE
        | {
            "gate": "iop_last_session",
            "gate_at": NOW + timedelta(hours=48),
            "missing": ["appointment", "discharge_summary"],
            "raised_at": NOW,
            "urgent": False,
        }
    )


def alert(event: EventPayload) -> dict[str, object]:
    shape = shape_of(event.TYPE)
    assert shape is not None
    return payloads.alert(shape, alert_id=ALERT_ID, event=event, timestamp=NOW)


@pytest.mark.parametrize("event_type", sorted(ALERTS))
def test_every_alert_reads_fields_its_event_has(event_type: str) -> None:
    shape, fields = ALERTS[event_type], EVENTS[event_type].model_fields
    named = {shape.kind, shape.raised, *shape.codes} | ({shape.due} - {None})
    assert named <= set(fields)
    assert set(SUBJECT_IDS) & set(fields), "an alert names its referral or its screen"
    assert shape.type.startswith("alert.")
    for code in (shape.kind, *shape.codes):  # codes, never free text
        annotation = fields[code].annotation
        members = get_args(annotation) or (annotation,)
        assert all(m is Ellipsis or issubclass(m, Enum) for m in members), code


def test_an_sla_breach_says_which_rule_for_which_referral_and_when() -> None:
    event = breach("discharge_without_appointment")
    body = alert(event)
    assert body == {
        "type": "alert.sla_breached",
        "alert_id": str(ALERT_ID),
        "referral_id": str(event.referral_id),
        "event_type": "SlaBreached",
        "kind": "discharge_without_appointment",
        "due_at": payloads.iso(event.due_at),
        "raised_at": payloads.iso(event.detected_at),
        "urgent": event.urgent,
        "timestamp": "2026-11-20T10:00:00Z",
    }


def test_a_gate_risk_says_what_is_missing_as_codes() -> None:
    event = gate()
    body = alert(event)
    assert (body["type"], body["kind"]) == ("alert.gate_risk", event.gate.value)
    assert body["missing"] == [m.value for m in event.missing]
    assert body["due_at"] == payloads.iso(event.gate_at)


def test_no_alert_carries_a_phi_like_or_unexpected_key() -> None:
    for event in [breach("ack_overdue"), gate()]:
        body = alert(event)
        body |= {"subscription_id": str(uuid4()), "event_number": 7}
        assert set(body) <= payloads.ALLOWED_KEYS
        assert not [key for key in body if is_phi_like(key)]


def test_an_event_that_raises_no_alert_has_no_shape() -> None:
    assert shape_of("FollowUpDue") is None and shape_of("FollowUpCompleted") is None


def test_a_subscription_chooses_known_notification_types() -> None:
    url = "https://example.org/hook"
    chosen = SubscriptionIn.model_validate({"url": url, "types": ["alert.sla_breached"]})
    assert chosen.types == ["alert.sla_breached"]
    assert SubscriptionIn.model_validate({"url": url}).types is None
    with pytest.raises(ValidationError):
        SubscriptionIn.model_validate({"url": url, "types": ["subscription.heartbeat"]})


def test_times_in_an_alert_are_utc() -> None:
    chicago = timezone(timedelta(hours=-6))
    event = breach("ack_overdue").model_copy(
        update={"due_at": datetime(2026, 11, 20, 3, 0, tzinfo=chicago)}
    )
    body = alert(event)
    assert body["due_at"] == "2026-11-20T09:00:00Z"
