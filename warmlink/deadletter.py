"""Dead letters: kept in the service's database and published to the dead-letter topic via the
outbox, with the reason and error in headers. The original bytes travel untouched."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts import headers as h
from contracts import new_event_id
from contracts.topics import DEAD_LETTER
from warmlink.db import Connection
from warmlink.outbox import publish_raw_later

INSERT_DEAD_LETTER = """
INSERT INTO dead_letters (consumer, source_topic, source_partition, source_offset, event_id,
                          reason, error, attempts, key, value)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING
RETURNING id"""

UNDECODABLE = "undecodable"
HANDLER_FAILED = "handler_failed"


@dataclass(frozen=True)
class DeadLetter:
    consumer: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str  # UNDECODABLE or HANDLER_FAILED
    error: str  # short, never the record's content
    attempts: int
    event_id: UUID | None = None

    def headers(self) -> dict[str, str]:
        return {
            h.DLQ_REASON: self.reason,
            h.DLQ_ERROR: self.error[:500],
            h.DLQ_CONSUMER: self.consumer,
            h.DLQ_SOURCE_TOPIC: self.topic,
            h.DLQ_SOURCE_PARTITION: str(self.partition),
            h.DLQ_SOURCE_OFFSET: str(self.offset),
            h.DLQ_ATTEMPTS: str(self.attempts),
        }


async def record_dead_letter(conn: Connection, letter: DeadLetter) -> bool:
    """Keep and publish `letter`; False when this very record was dead-lettered before."""
    inserted = await conn.fetchval(
        INSERT_DEAD_LETTER,
        letter.consumer,
        letter.topic,
        letter.partition,
        letter.offset,
        letter.event_id,
        letter.reason,
        letter.error,
        letter.attempts,
        letter.key,
        letter.value,
    )
    if inserted is None:
        return False
    await publish_raw_later(
        conn,
        event_id=new_event_id(),
        topic=DEAD_LETTER,
        key=(letter.key or b"").decode("utf-8", "replace"),
        event_type="DeadLetter",
        value=letter.value or b"",
        headers=letter.headers(),
    )
    return True
