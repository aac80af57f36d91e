"""Routes over one subscription's notifications: replay, manual redelivery, delivery log, SSE.

Replay (`?since=N`) returns event numbers above N in order, whatever their delivery status, so
a subscriber that sees a gap (or comes back after its endpoint was down) fills it from here. The
SSE stream sends the same notifications to dashboards, `id:` being the event number, and resumes
after `Last-Event-ID` when the browser reconnects. It ends when the directory suspends the
subscriber's organization (its JWKS document lists it), within the document's age and a poll:
a token is checked once, when the stream opens, and the stream outlives it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.referral.subscriptions.adapters import store
from services.referral.subscriptions.adapters.wakeup import Doorbell
from services.referral.subscriptions.entrypoints.schemas import (
    DeliveriesOut,
    DeliveryOut,
    EventOut,
    EventsOut,
)
from services.referral.subscriptions.service_layer import commands
from warmlink.auth import CallerDep, TokenVerifier
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])

STREAM_BATCH = 100
PING_S = 15  # keep-alive comment, so proxies do not close an idle stream
Since = Annotated[int, Query(ge=-1, description="Event numbers above this; -1 includes 0")]


@router.get("/{subscription_id}/events", response_model=EventsOut)
async def replay(
    subscription_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    since: Since = -1,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EventsOut:
    subscription = await commands.owned_subscription(conn, subscription_id, caller.organization_id)
    rows = await store.events(conn, subscription_id, since, limit)
    return EventsOut(
        subscription_id=subscription_id,
        last_event_number=subscription["last_event_number"],
        events=[EventOut.of(r) for r in rows],
    )


@router.post("/{subscription_id}/events/{event_number}/redeliver", status_code=202)
async def redeliver(
    subscription_id: UUID, event_number: int, conn: ConnectionDep, caller: CallerDep
) -> EventOut:
    """Send this notification again now, before anything newer, with a fresh retry window."""
    row = await commands.redeliver_event(
        conn, subscription_id, event_number, caller.organization_id
    )
    return EventOut.of(row)


@router.get("/{subscription_id}/deliveries", response_model=DeliveriesOut)
async def delivery_log(
    subscription_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    before: Annotated[
        int | None, Query(ge=1, description="Page: attempts older than this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveriesOut:
    """Every attempt, newest first: time, HTTP status or error, duration."""
    await commands.owned_subscription(conn, subscription_id, caller.organization_id)
    rows = await store.deliveries(conn, subscription_id, before, limit)
    return DeliveriesOut(
        subscription_id=subscription_id, deliveries=[DeliveryOut(**dict(r)) for r in rows]
    )


def resume_after(last_event_id: str | None, since: int) -> int:
    """Last-Event-ID (set by a reconnecting browser) wins over `since`."""
    if last_event_id is not None and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return since


@router.get("/{subscription_id}/stream", response_class=EventSourceResponse)
async def stream(
    subscription_id: UUID,
    request: Request,
    caller: CallerDep,
    since: Since = -1,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    """Server-Sent Events: one `event:` per notification, `id:` its event number."""
    pool: asyncpg.Pool = request.app.state.runtime.pool
    async with pool.acquire() as conn:  # not held for the stream's life
        await commands.owned_subscription(conn, subscription_id, caller.organization_id)
    doorbell = getattr(request.app.state, "subscription_doorbell", None) or Doorbell()
    after = resume_after(last_event_id, since)
    verifier: TokenVerifier = request.app.state.verifier
    admitted = _while_admitted(verifier, caller.organization_id)
    poll_s = request.app.state.runtime.settings.webhook_stream_poll_s
    events = _notifications(pool, subscription_id, after, doorbell, admitted, poll_s)
    return EventSourceResponse(events, ping=PING_S)


def _while_admitted(verifier: TokenVerifier, organization_id: str) -> Callable[[], Awaitable[bool]]:
    async def admitted() -> bool:
        return organization_id not in await verifier.suspended_organizations()

    return admitted


async def _notifications(
    pool: asyncpg.Pool,
    subscription_id: UUID,
    after: int,
    doorbell: Doorbell,
    admitted: Callable[[], Awaitable[bool]],
    poll_s: float,
) -> AsyncIterator[ServerSentEvent]:
    while await admitted():
        seen = doorbell.current()  # before reading: a ring during the read is not missed
        async with pool.acquire() as conn:
            rows = await store.events(conn, subscription_id, after, STREAM_BATCH)
        for row in rows:
            after = row["event_number"]
            yield ServerSentEvent(data=row["payload"], id=str(after), event=row["type"])
        if len(rows) < STREAM_BATCH:
            await doorbell.wait(seen, poll_s)
