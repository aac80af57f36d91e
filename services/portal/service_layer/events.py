"""The portal's answers to the events it consumes: alerts for the people they concern, and its
one consumer group.

Each handler runs in the consumer's transaction with its inbox row: the alerts it decides are
inserted with it, one per event, person and kind, so an event read twice alerts nobody twice.
The sender (workers/alert_sender.py) sends them after the commit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from contracts import (
    CapacityNearingStale,
    Envelope,
    GateAlertRaised,
    PositiveScreenEscalated,
    ReferralSubmitted,
    SlaBreached,
    UrgentAcknowledgementOverdue,
)
from services.portal.adapters import alerts as store
from services.portal.domain import alert_notices
from services.portal.domain.alerts import Notice, decide
from warmlink.consumer import Handler, Subscription
from warmlink.db import Connection


def subscriptions(
    zone: ZoneInfo, digest_at: time, clock: Callable[[], datetime]
) -> list[Subscription]:
    events = AlertEvents(zone, digest_at, clock)
    handlers: dict[str, Handler] = {
        "ReferralSubmitted": events.on_referral_submitted,
        "SlaBreached": events.on_sla_breached,
        "UrgentAcknowledgementOverdue": events.on_urgent_acknowledgement_overdue,
        "GateAlertRaised": events.on_gate_alert_raised,
        "PositiveScreenEscalated": events.on_positive_screen_escalated,
        "CapacityNearingStale": events.on_capacity_nearing_stale,
    }
    # In the background: an alert's target is seconds, and an idle consumer polling at click
    # speed would cost the broker CPU on every network at rest.
    return [Subscription("portal.alerts", handlers, background=True)]


class AlertEvents:
    """`zone`: the network's, for people who chose none; `digest_at`: the digest's local hour."""

    def __init__(self, zone: ZoneInfo, digest_at: time, clock: Callable[[], datetime]) -> None:
        self.zone, self.digest_at, self.clock = zone, digest_at, clock

    async def _alert(self, conn: Connection, envelope: Envelope, notices: list[Notice]) -> None:
        now = self.clock()
        for notice in notices:
            people = await store.recipients(conn, notice.audience, notice.roles, self.zone)
            await store.add(
                conn, envelope.event_id, decide(notice, people, now, self.digest_at), now
            )

    async def on_referral_submitted(
        self, conn: Connection, envelope: Envelope, event: ReferralSubmitted
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_referral_submitted(event))

    async def on_sla_breached(
        self, conn: Connection, envelope: Envelope, event: SlaBreached
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_sla_breached(event))

    async def on_urgent_acknowledgement_overdue(
        self, conn: Connection, envelope: Envelope, event: UrgentAcknowledgementOverdue
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_urgent_acknowledgement_overdue(event))

    async def on_gate_alert_raised(
        self, conn: Connection, envelope: Envelope, event: GateAlertRaised
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_gate_alert_raised(event))

    async def on_positive_screen_escalated(
        self, conn: Connection, envelope: Envelope, event: PositiveScreenEscalated
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_positive_screen_escalated(event))

    async def on_capacity_nearing_stale(
        self, conn: Connection, envelope: Envelope, event: CapacityNearingStale
    ) -> None:
        await self._alert(conn, envelope, alert_notices.for_capacity_nearing_stale(event))
