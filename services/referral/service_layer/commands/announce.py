"""What every referral command does last: queue its integration event, and tell the status
listeners (webhook subscriptions), in the command's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from contracts import EventPayload
from services.referral.domain.referral import Referral
from warmlink.db import Executor
from warmlink.outbox import publish_later

PRODUCER = "referral"
StatusListener = Callable[..., Awaitable[None]]


async def announce(
    conn: Executor,
    listeners: Sequence[StatusListener],
    r: Referral,
    event: EventPayload,
    now: datetime,
) -> None:
    """The listeners lock nothing: the delivery worker numbers their notifications after the
    commit."""
    await publish_later(conn, event, producer=PRODUCER)
    for listener in listeners:
        await listener(
            conn,
            referral_id=r.id,
            site_id=r.site_id,
            practice_id=r.practice_id,
            status=str(r.status),
            event_type=event.TYPE,
            occurred_at=now,
        )
