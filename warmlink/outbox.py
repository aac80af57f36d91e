"""Transactional outbox: record events in the same transaction as the state change.

`publish_later` is the only way a handler emits an integration event. The relay (relay.py) sends
committed rows to the broker. Nothing is published unless the change committed, and nothing that
committed is lost if the process dies before publishing. The relay is woken after the commit
(`notify_after_commit`), never from inside the transaction (warmlink/db.py says why).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import orjson

from contracts import Envelope, EventPayload, encode, wrap
from contracts import headers as h
from warmlink.db import Connection, Executor, notify_after_commit
from warmlink.telemetry import inject_headers

CHANNEL = "warmlink_outbox"  # the relay LISTENs here
INSERT_EVENT = """
INSERT INTO outbox (event_id, topic, key, event_type, payload, headers)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)"""

MARK_FOR_REPUBLISH = """
UPDATE outbox SET published_at = NULL
WHERE published_at IS NOT NULL
  AND created_at >= $1
  AND ($2::timestamptz IS NULL OR created_at < $2)"""

# After the broker lost its log: every retained row goes out again, in id order
# (warmlink/broker_loss.py). Rows older than the retention window are gone; see there.
REPUBLISH_RETAINED = "UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL"


class NotInTransaction(RuntimeError):
    """Raised when an event would be written outside the state change's transaction."""


async def publish_later(
    conn: Executor,
    payload: EventPayload,
    *,
    producer: str,
    causation: Envelope | None = None,
    correlation_id: UUID | None = None,
) -> Envelope:
    """Add `payload` to the outbox inside the caller's open transaction."""
    if not conn.is_in_transaction():
        raise NotInTransaction("publish_later must run inside the state change's transaction")
    envelope = wrap(payload, producer=producer, causation=causation, correlation_id=correlation_id)
    headers = inject_headers() | {
        h.EVENT_TYPE: envelope.type,
        h.EVENT_VERSION: str(envelope.version),
    }
    await publish_raw_later(
        conn,
        event_id=envelope.event_id,
        topic=payload.TOPIC,
        key=envelope.subject,
        event_type=envelope.type,
        value=encode(envelope),
        headers=headers,
    )
    return envelope


async def publish_raw_later(
    conn: Executor,
    *,
    event_id: UUID,
    topic: str,
    key: str,
    event_type: str,
    value: bytes,
    headers: dict[str, str],
) -> None:
    """Outbox a record that is not an envelope we built (dead letters keep the original bytes)."""
    await conn.execute(
        INSERT_EVENT, event_id, topic, key, event_type, value, orjson.dumps(headers).decode()
    )
    await notify_after_commit(conn, CHANNEL)


async def mark_for_republish(
    conn: Connection, since: datetime, until: datetime | None = None
) -> int:
    """Queue already-published events again (after a broker lost them). Returns the row count."""
    status = await conn.execute(MARK_FOR_REPUBLISH, since, until)
    return int(status.split()[-1])
