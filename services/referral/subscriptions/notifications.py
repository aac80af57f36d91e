"""Writing notifications: status changes, handshakes and heartbeats, each with its event number.

The number comes from the subscription row (`last_event_number`), which is locked and bumped in
the same transaction that inserts the notification: two concurrent changes queue on the row lock,
and a rolled-back change rolls its number back, so numbers run 1, 2, 3 without gaps. NOTIFY is
delivered on commit and wakes the delivery worker and the SSE streams.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson

from services.referral.subscriptions import payloads
from warmlink.db import Connection

CHANNEL = "referral_subscriptions"
NOTIFY = f"SELECT pg_notify('{CHANNEL}', '')"

# Rows are locked in id order so two transactions touching the same subscriptions cannot deadlock.
# FOR NO KEY UPDATE, not FOR UPDATE: it still queues concurrent changes of one subscriber (the
# numbers stay gap-free and in commit order) but no longer blocks the foreign-key checks of the
# delivery worker's inserts (FOR KEY SHARE), which had stalled deliveries behind every open
# state change. The handlers record notifications last, so the row is held little more than the
# commit.
LOCK_MATCHING = """
SELECT id FROM subscriptions
WHERE status = 'active' AND organization_id = ANY($1::text[])
  AND (statuses IS NULL OR $2 = ANY(statuses))
  AND (event_types IS NULL OR $3 = ANY(event_types))
ORDER BY id FOR NO KEY UPDATE"""
# Then, in one statement for all the locked subscriptions (status changes, heartbeats): the
# next number of each, the notification (the shared payload with that subscription and number
# merged in), and NOTIFY (delivered on commit) naming the subscriptions, so a worker already
# delivering them skips its global scan (worker.py); the handshake NOTIFYs with an empty
# payload: scan.
# A separate statement from the lock on purpose: it reads the rows as of
# after the lock was granted, whereas locking and updating in one statement made two changes of
# one subscriber deadlock (the update re-followed a row version the other was queued on).
NUMBER_AND_INSERT = f"""
WITH numbered AS (
    UPDATE subscriptions SET last_event_number = last_event_number + 1, last_event_at = now()
    WHERE id = ANY($1::uuid[])
    RETURNING id, last_event_number
), inserted AS (
    INSERT INTO subscription_notifications (id, subscription_id, event_number, type, payload)
    SELECT gen_random_uuid(), n.id, n.last_event_number, $2,
           $3::jsonb || jsonb_build_object('subscription_id', n.id::text,
                                           'event_number', n.last_event_number)
    FROM numbered n
    RETURNING subscription_id
)
SELECT pg_notify('{CHANNEL}', ids)
FROM (SELECT string_agg(subscription_id::text, ',') AS ids FROM inserted) named
WHERE ids IS NOT NULL"""
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


def _require_transaction(conn: Connection) -> None:
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
    conn: Connection,
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
    matching = await conn.fetch(LOCK_MATCHING, owners, status, event_type)
    await _number_and_insert(conn, [row["id"] for row in matching], shared)


async def _number_and_insert(conn: Connection, locked: list[UUID], shared: dict[str, Any]) -> None:
    """The next number and a notification for each locked subscription, in one statement."""
    if locked:
        await conn.fetchval(
            NUMBER_AND_INSERT, locked, shared["type"], orjson.dumps(shared).decode()
        )


async def record_handshake(conn: Connection, subscription_id: UUID) -> None:
    """Event number 0, delivered first through the normal path (see the package docstring)."""
    _require_transaction(conn)
    await insert(conn, subscription_id, 0, payloads.handshake(subscription_id, datetime.now(UTC)))
    await conn.execute(NOTIFY)


async def record_heartbeats(conn: Connection) -> int:
    """A heartbeat for each idle subscription, with its next number. Returns how many."""
    _require_transaction(conn)
    idle = await conn.fetch(LOCK_IDLE, HEARTBEAT_BATCH)
    await _number_and_insert(conn, [row["id"] for row in idle], payloads.beat(datetime.now(UTC)))
    return len(idle)
