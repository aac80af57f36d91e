"""Routes over one subscription's notifications: replay, manual redelivery, delivery log, SSE.

Replay (`?since=N`) returns event numbers above N in order, whatever their delivery status, so
a subscriber that sees a gap (or comes back after its endpoint was down) fills it from here. The
SSE stream sends the same notifications to dashboards, `id:` being the event number, and resumes
after `Last-Event-ID` when the browser reconnects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.referral.subscriptions import store
from services.referral.subscriptions.manage import NOT_FOUND
from services.referral.subscriptions.schemas import DeliveriesOut, DeliveryOut, EventOut, EventsOut
from services.referral.subscriptions.wakeup import Doorbell
from warmlink.auth import Caller, CallerDep
from warmlink.db import Connection, ConnectionDep
from warmlink.problems import Conflict, NotFound

router = APIRouter(prefix="/v1/subscriptions", tags=["subscriptions"])

STREAM_BATCH = 100
STREAM_POLL_S = 2.0  # fallback when no NOTIFY arrives (another replica's worker, a lost one)
PING_S = 15  # keep-alive comment, so proxies do not close an idle stream
Since = Annotated[int, Query(ge=-1, description="Event numbers above this; -1 includes 0")]


async def _owned(conn: Connection, subscription_id: UUID, caller: Caller) -> asyncpg.Record:
    row = await store.get(conn, subscription_id, caller.organization_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


@router.get("/{subscription_id}/events", response_model=EventsOut)
async def replay(
    subscription_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    since: Since = -1,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EventsOut:
    subscription = await _owned(conn, subscription_id, caller)
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
    subscription = await _owned(conn, subscription_id, caller)
    if subscription["status"] != "active":
        raise Conflict(f"The subscription is {subscription['status']}; nothing is delivered.")
    row = await store.redeliver(conn, subscription_id, event_number)
    if row is None:
        raise NotFound("No such event number in this subscription.")
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
    await _owned(conn, subscription_id, caller)
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
        await _owned(conn, subscription_id, caller)
    doorbell = getattr(request.app.state, "subscription_doorbell", None) or Doorbell()
    after = resume_after(last_event_id, since)
    return EventSourceResponse(_notifications(pool, subscription_id, after, doorbell), ping=PING_S)


async def _notifications(
    pool: asyncpg.Pool, subscription_id: UUID, after: int, doorbell: Doorbell
) -> AsyncIterator[ServerSentEvent]:
    while True:
        seen = doorbell.current()  # before reading: a ring during the read is not missed
        async with pool.acquire() as conn:
            rows = await store.events(conn, subscription_id, after, STREAM_BATCH)
        for row in rows:
            after = row["event_number"]
            yield ServerSentEvent(data=row["payload"], id=str(after), event=row["type"])
        if len(rows) < STREAM_BATCH:
            await doorbell.wait(seen, STREAM_POLL_S)
