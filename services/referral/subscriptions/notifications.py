"""Writing notifications: status changes, handshakes and heartbeats, each with its event number.

The number comes from the subscription row (`last_event_number`), which is locked and bumped in
the same transaction that inserts the notification: two concurrent changes queue on the row lock,
and a rolled-back change rolls its number back, so numbers run 1, 2, 3 without gaps. NOTIFY
wakes the delivery worker and the SSE streams: the numbering functions' NOTIFY names the
subscriptions and is delivered on commit; a handshake or a redelivery NOTIFYs after commit, an
empty payload that means "scan".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson

from services.referral.subscriptions import payloads
from warmlink.db import Connection, Executor, notify_after_commit

CHANNEL = "referral_subscriptions"

# Status changes lock, number and insert in one call, heartbeats number and insert the
# subscriptions LOCK_IDLE locked: the functions and why they are written so are in
# migrations/012_notification_functions.sql (013 keeps the NOTIFY payload within its limit).
RECORD_STATUS_CHANGE = "SELECT record_status_change($1::text[], $2, $3, $4::jsonb, $5)"
NUMBER_AND_INSERT = "SELECT number_and_insert_notifications($1::uuid[], $2::jsonb, $3)"
# Idle: nothing recorded for heartbeat_s, and nothing still waiting for delivery (a heartbeat
# queued behind an undelivered notification would tell the subscriber nothing new).
# SKIP LOCKED: a subscription being written to right now is not idle; another replica's
# heartbeat loop skips what this one holds, and re-checks last_event_at once the lock is free.
LOCK_IDLE = """
SELECT s.id FROM subscriptions s
WHERE s.status = 'active' AND s.last_event_at <= now() - make_interval(secs => s.heartbeat_s)
  AND NOT EXISTS (SELECT 1 FROM subscription_notifications n
                  WHERE n.subscription_id = s.id AND n.status = 'pending')
ORDER BY s.id LIMIT $1 FOR UPDATE SKIP LOCKED"""
INSERT_NOTIFICATION = """
INSERT INTO subscription_notifications (id, subscription_id, event_number, type, payload)
VALUES ($1, $2, $3, $4, $5::jsonb)"""

HEARTBEAT_BATCH = 500


def _require_transaction(conn: Executor) -> None:
    if not conn.is_in_transaction():
        raise RuntimeError("notifications are recorded inside the state change's transaction")


async def insert(
    conn: Connection, subscription_id: UUID, number: int, body: dict[str, Any]
) -> None:
    await conn.execute(
        INSERT_NOTIFICATION,
        uuid4(),
        subscription_id,
        number,
        body["type"],
        orjson.dumps(body).decode(),
    )


async def record_status_change(
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
    _require_transaction(conn)
    owners = sorted({site_id, practice_id})
    shared = payloads.status_change(  # each notification adds its subscription and number
        referral_id=referral_id,
        status=status,
        event_type=event_type,
        occurred_at=occurred_at,
        timestamp=datetime.now(UTC),
    )
    await conn.execute(
        RECORD_STATUS_CHANGE, owners, status, event_type, orjson.dumps(shared).decode(), CHANNEL
    )


async def record_handshake(conn: Connection, subscription_id: UUID) -> None:
    """Event number 0, delivered first through the normal path (see the package docstring)."""
    _require_transaction(conn)
    await insert(conn, subscription_id, 0, payloads.handshake(subscription_id, datetime.now(UTC)))
    await notify_after_commit(conn, CHANNEL)


async def record_heartbeats(conn: Connection) -> int:
    """A heartbeat for each idle subscription, with its next number. Returns how many."""
    _require_transaction(conn)
    idle = [row["id"] for row in await conn.fetch(LOCK_IDLE, HEARTBEAT_BATCH)]
    if idle:
        beat = orjson.dumps(payloads.beat(datetime.now(UTC))).decode()
        await conn.execute(NUMBER_AND_INSERT, idle, beat, CHANNEL)
    return len(idle)
