"""Writing notifications: status changes, alerts, handshakes and heartbeats, each with its event
number.

The number comes from the subscription row (`last_event_number`), bumped under the row's lock,
so numbers run 1, 2, 3 without gaps. A status change does not take that lock: it queues its
notifications un-numbered in its own transaction (nothing is lost: they commit with the change,
and a rolled-back change queued nothing), and the sequencer (`number_queued`, run by the
delivery worker as it claims) numbers them in queue order after the commit. Taking the lock in
the state change held it through every commit's WAL flush, so a subscribed site's changes
committed one at a time (migrations/014). Handshakes (number 0) and heartbeats (idle
subscriptions, locked) are numbered as they are written.

An alert is queued the same way, in the consumer's transaction that handles its event.

NOTIFY: a status change, an alert, a handshake or a redelivery wakes the delivery worker after
commit on CHANNEL, an empty payload that means "scan"; the heartbeat function names its
subscriptions. The sequencer NOTIFYs NUMBERED, which rings the SSE streams' doorbell only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson

from services.referral.subscriptions.domain import payloads
from warmlink.db import Connection, Executor, notify_after_commit

CHANNEL = "referral_subscriptions"
NUMBERED = "referral_subscriptions_numbered"

# A status change's notifications for every matching active subscription of the referring site
# ($1, the Task's requester) and the practice ($2, its owner), queued without a number; a
# subscription narrowed to one role (organization_role, migrations/041) takes only that side's.
# An INSERT, so the warm handoff's one-statement batch holds it.
QUEUE_STATUS_CHANGE = """
INSERT INTO subscription_notifications (id, subscription_id, status, type, payload)
SELECT gen_random_uuid(), s.id, 'queued', $5::jsonb ->> 'type',
       $5::jsonb || jsonb_build_object('subscription_id', s.id::text)
FROM subscriptions s
WHERE s.status = 'active' AND s.organization_id IN ($1, $2)
  AND ((s.organization_id = $1 AND s.organization_role IS DISTINCT FROM 'owner')
       OR (s.organization_id = $2 AND s.organization_role IS DISTINCT FROM 'requester'))
  AND (s.statuses IS NULL OR $3::text = ANY(s.statuses))
  AND (s.event_types IS NULL OR $4::text = ANY(s.event_types))
  AND (s.types IS NULL OR $5::jsonb ->> 'type' = ANY(s.types))"""
# An alert's notifications for every active subscription of the referring site that takes its
# type (migrations/017); the status filters narrow status changes only.
QUEUE_ALERT = """
INSERT INTO subscription_notifications (id, subscription_id, status, type, payload)
SELECT gen_random_uuid(), s.id, 'queued', $2::jsonb ->> 'type',
       $2::jsonb || jsonb_build_object('subscription_id', s.id::text)
FROM subscriptions s
WHERE s.status = 'active' AND s.organization_id = $1
  AND (s.types IS NULL OR $2::jsonb ->> 'type' = ANY(s.types))"""
# The sequencer (migrations/014): every subscription with queued notifications, or one.
NUMBER_ALL_QUEUED = """
SELECT number_queued_notifications(ARRAY(
    SELECT DISTINCT subscription_id FROM subscription_notifications WHERE status = 'queued'))"""
NUMBER_QUEUED_OF = "SELECT number_queued_notifications(ARRAY[$1::uuid])"
# Heartbeats number and insert the subscriptions LOCK_IDLE locked (migrations/012, 013).
NUMBER_AND_INSERT = "SELECT number_and_insert_notifications($1::uuid[], $2::jsonb, $3)"
# Idle: nothing numbered for heartbeat_s, and nothing still waiting for a number or a delivery
# (a heartbeat behind an undelivered notification would tell the subscriber nothing new).
# SKIP LOCKED: a subscription being written to right now is not idle; another replica's
# heartbeat loop skips what this one holds, and re-checks last_event_at once the lock is free.
LOCK_IDLE = """
SELECT s.id FROM subscriptions s
WHERE s.status = 'active' AND s.last_event_at <= now() - make_interval(secs => s.heartbeat_s)
  AND NOT EXISTS (SELECT 1 FROM subscription_notifications n
                  WHERE n.subscription_id = s.id AND n.status IN ('queued', 'pending'))
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


async def queue_status_change(
    conn: Executor,
    site_id: str,
    practice_id: str,
    status: str,
    event_type: str,
    shared: dict[str, Any],
) -> None:
    """Queue `shared` (a status change's payload) for every matching active subscription of
    the site and the practice, un-numbered, inside the state change's transaction."""
    _require_transaction(conn)
    queued = await conn.execute(
        QUEUE_STATUS_CHANGE, site_id, practice_id, status, event_type, orjson.dumps(shared).decode()
    )
    await notify_after_commit(conn, CHANNEL, written=queued)  # no subscriber, no wake-up


async def queue_alert(conn: Executor, site_id: str, shared: dict[str, Any]) -> None:
    """Queue `shared` (an alert's payload) for the site's subscriptions that take its type,
    un-numbered, inside the transaction that handles the alert's event."""
    _require_transaction(conn)
    queued = await conn.execute(QUEUE_ALERT, site_id, orjson.dumps(shared).decode())
    await notify_after_commit(conn, CHANNEL, written=queued)


async def number_queued(conn: Connection, subscription_id: UUID | None = None) -> int:
    """Number what status changes queued (one subscription's, or all); inside the caller's
    transaction, which then holds those subscriptions' row locks until it commits. The SSE
    streams hear of it after the commit."""
    _require_transaction(conn)
    if subscription_id is None:
        numbered = int(await conn.fetchval(NUMBER_ALL_QUEUED))
    else:
        numbered = int(await conn.fetchval(NUMBER_QUEUED_OF, subscription_id))
    if numbered:
        await notify_after_commit(conn, NUMBERED)
    return numbered


async def record_handshake(conn: Connection, subscription_id: UUID) -> None:
    """Event number 0, delivered first through the normal path (see service_layer/commands.py)."""
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
