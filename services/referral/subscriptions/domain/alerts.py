"""Alerts the referring site's subscribers are told of: the network's warnings that the loop is
at risk (an SLA breached, a gate near with something missing), pushed beside the tasks that
already list them.

Each alert is one row of ALERTS: the integration event it comes from, the notification type
subscribers see (and choose with a subscription's `types`), and which of the event's fields hold
its coded kind, its deadline and when it was raised. A new alert (an unreferred positive screen
escalating, a safety escalation) is one more row, and its handler calls
`service_layer.events.on_alert_raised`; tests/unit/referral_subscriptions checks every row
against the event's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts import GateAlertRaised, PositiveScreenEscalated, RedirectHeld, SlaBreached


@dataclass(frozen=True)
class AlertShape:
    """Where an event keeps what an alert says. Field names, read off the event."""

    type: str  # the notification type
    kind: str  # its coded kind (an SlaKind, a GateKind, ...)
    due: str | None  # the deadline that was, or is about to be, missed (None: it has none)
    raised: str  # when the network noticed
    codes: tuple[str, ...] = ()  # further code fields copied as they are (enum values only)


ALERTS: dict[str, AlertShape] = {
    SlaBreached.TYPE: AlertShape("alert.sla_breached", "kind", "due_at", "detected_at"),
    GateAlertRaised.TYPE: AlertShape(
        "alert.gate_risk", "gate", "gate_at", "raised_at", codes=("missing",)
    ),
    # A positive screen nobody referred or closed in time: its coordinator's task, now the site's.
    PositiveScreenEscalated.TYPE: AlertShape(
        "alert.screen_unreferred", "level", "due_at", "escalated_at"
    ),
    # A redirect the network could not make by itself (no match, Part 2 consent): the site's now.
    RedirectHeld.TYPE: AlertShape(
        "alert.redirect_held", "hold", None, "held_at", codes=("reason",)
    ),
}

ALERT_TYPES = frozenset(shape.type for shape in ALERTS.values())
# The further code fields alerts carry; payloads.ALLOWED_KEYS admits them (a test checks each is
# a code, not free text).
ALERT_CODES = frozenset(code for shape in ALERTS.values() for code in shape.codes)
# What the event may name as its subject; an alert carries the ones its event has.
SUBJECT_IDS = ("referral_id", "screening_id")


def shape_of(event_type: str) -> AlertShape | None:
    """The alert an event raises, or None if it raises none."""
    return ALERTS.get(event_type)


def subject_ids(event: Any) -> dict[str, Any]:
    """The ids the event names its subject by (a referral, or a screen nobody referred yet)."""
    return {name: getattr(event, name) for name in SUBJECT_IDS if hasattr(event, name)}
