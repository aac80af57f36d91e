"""What the subscriptions do when a referral's status changes, or an alert is raised: queue a
notification for every subscriber of the referring site (and, for a status, of the practice).

No consumer group: the referral service's handlers call `on_status_change` (a status listener,
wired by bootstrap) inside the transaction that changes the status, and its follow-up handlers
call `on_alert_raised` inside the consumer's transaction that handles the alert's event, so the
notification commits with the change (and the inbox row) or not at all. It is queued without a
number and locks nothing; the delivery worker numbers it after the commit
(adapters/notifications.py, migrations/014).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from contracts import Envelope, EventPayload
from services.referral.subscriptions.adapters import notifications
from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.alerts import shape_of
from warmlink.db import Executor


async def on_status_change(
    conn: Executor,
    *,
    referral_id: UUID,
    site_id: str,
    practice_id: str,
    status: str,
    event_type: str,
    occurred_at: datetime,
) -> None:
    """Queue a `referral.status_changed` notification for every matching active subscription
    of the referring site or the practice. Call it inside the state change's transaction."""
    shared = payloads.status_change(  # each notification adds its subscription, then number
        referral_id=referral_id,
        status=status,
        event_type=event_type,
        occurred_at=occurred_at,
        timestamp=datetime.now(UTC),
    )
    await notifications.queue_status_change(conn, site_id, practice_id, status, event_type, shared)


async def on_alert_raised(
    conn: Executor, envelope: Envelope, event: EventPayload, *, site_id: str
) -> None:
    """Queue the alert `event` raises (domain/alerts.py) for the referring site's subscriptions
    that take its type; an event that raises none queues nothing. Call it inside the consumer's
    transaction, once per event (the inbox, and the handler's own once-per-event note)."""
    shape = shape_of(envelope.type)
    if shape is None:
        return
    shared = payloads.alert(  # each notification adds its subscription, then number
        shape, alert_id=envelope.event_id, event=event, timestamp=datetime.now(UTC)
    )
    await notifications.queue_alert(conn, site_id, shared)
