"""Holding back a key's later events while one of its earlier events is dead-lettered.

A referral's events are keyed by the referral: applied out of order, a later step acts on a
record its earlier step never made (a booking on a referral that was never accepted here). So
once an event of key K is dead-lettered by a consumer, that consumer applies no later event of K:
each is claimed in the inbox as `held_back` and kept in `held_back`, in the same transaction. A
person resolves the letter (`warmlink deadletters replay|discard`, which only writes the request);
the consumer then, in one transaction that locks the letter, replays it (or not), marks it
resolved and applies the held events of K in the order they came. Other keys never wait.

The lock makes the hand-over exact: a batch reads the open letters of its keys FOR SHARE, so a
resolution waits for batches that are holding back under it, and a batch after the resolution
no longer sees the letter and applies directly, after the released events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from aiokafka import ConsumerRecord

from warmlink.db import Connection, unavailable_for_now
from warmlink.deadletter import HANDLER_FAILED, DeadLetter, record_dead_letter

log = logging.getLogger(__name__)

OPEN_LETTER_KEYS = """
SELECT key FROM dead_letters
WHERE consumer = $1 AND resolved_at IS NULL AND key = ANY($2::bytea[])
FOR SHARE"""
HOLD = """
INSERT INTO held_back (consumer, key, event_id, source_topic, source_partition, source_offset,
                       value)
SELECT $1, h.key, h.event_id, h.topic, h.part, h.off, h.value
FROM unnest($2::bytea[], $3::uuid[], $4::text[], $5::int[], $6::bigint[], $7::bytea[])
    AS h(key, event_id, topic, part, off, value)
ON CONFLICT DO NOTHING"""

RESOLUTIONS_DUE = """
SELECT id FROM dead_letters
WHERE consumer = $1 AND resolution IS NOT NULL AND resolved_at IS NULL ORDER BY id"""
LOCK_LETTER = """
SELECT id, resolution, event_id, key, value, source_topic, source_partition, source_offset
FROM dead_letters WHERE id = $1 AND resolved_at IS NULL FOR UPDATE"""
MARK_RESOLVED = "UPDATE dead_letters SET resolved_at = now(), replay_error = NULL WHERE id = $1"
MARK_REPLAY_FAILED = "UPDATE dead_letters SET resolution = NULL, replay_error = $2 WHERE id = $1"
OPEN_LETTERS_OF_KEY = """
SELECT count(*) FROM dead_letters WHERE consumer = $1 AND key = $2 AND resolved_at IS NULL"""
HELD_IN_ORDER = """
SELECT id, event_id, key, value, source_topic, source_partition, source_offset
FROM held_back WHERE consumer = $1 AND key = $2 ORDER BY id"""
RELEASE = "DELETE FROM held_back WHERE id = $1"
SET_INBOX_OUTCOME = """
UPDATE inbox SET outcome = $3, processed_at = now() WHERE consumer = $1 AND event_id = $2"""

REQUEST_RESOLUTION = """
UPDATE dead_letters SET resolution = $2, replay_error = NULL
WHERE id = $1 AND resolved_at IS NULL RETURNING consumer"""
LIST_LETTERS = """
SELECT d.id, d.consumer, d.reason, d.error, d.attempts, d.created_at, d.resolution,
       d.resolved_at, d.replay_error,
       (SELECT count(*) FROM held_back h WHERE h.consumer = d.consumer AND h.key = d.key) AS held
FROM dead_letters d
WHERE $1 OR d.resolved_at IS NULL
ORDER BY d.id"""

REPLAY = "replay"
DISCARD = "discard"

# Applies one stored record inside the caller's transaction; raises when the handler fails.
Apply = Callable[[Connection, ConsumerRecord[bytes, bytes]], Awaitable[None]]


@dataclass(frozen=True)
class Holding:
    key: bytes
    event_id: UUID
    record: ConsumerRecord[bytes, bytes]


async def open_letter_keys(conn: Connection, consumer: str, keys: Iterable[bytes]) -> set[bytes]:
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    return {bytes(r["key"]) for r in await conn.fetch(OPEN_LETTER_KEYS, consumer, wanted)}


async def hold_back(conn: Connection, consumer: str, held: list[Holding]) -> None:
    if not held:
        return
    await conn.execute(
        HOLD,
        consumer,
        [h.key for h in held],
        [h.event_id for h in held],
        [h.record.topic for h in held],
        [h.record.partition for h in held],
        [h.record.offset for h in held],
        [h.record.value for h in held],
    )


async def request_resolution(conn: Connection, letter_id: int, resolution: str) -> str | None:
    """Ask the consumer to replay or discard a letter; its consumer's name, None if not open."""
    consumer: str | None = await conn.fetchval(REQUEST_RESOLUTION, letter_id, resolution)
    return consumer


async def resolve_requested(pool: asyncpg.Pool, consumer: str, apply: Apply) -> int:
    """Carry out every resolution asked of `consumer`'s letters. Returns events applied."""
    async with pool.acquire() as conn:
        due = [r["id"] for r in await conn.fetch(RESOLUTIONS_DUE, consumer)]
    applied = 0
    for letter_id in due:
        async with pool.acquire() as conn, conn.transaction():
            applied += await _resolve(conn, consumer, letter_id, apply)
    return applied


async def _resolve(conn: Connection, consumer: str, letter_id: int, apply: Apply) -> int:
    letter = await conn.fetchrow(LOCK_LETTER, letter_id)
    if letter is None:
        return 0  # resolved meanwhile by another replica
    applied = 0
    if letter["resolution"] == REPLAY:
        failure = await _apply_stored(conn, consumer, letter, apply)
        if failure is not None:
            await conn.execute(MARK_REPLAY_FAILED, letter_id, failure)
            log.warning("dead letter replay failed", extra={"consumer": consumer, "id": letter_id})
            return 0
        applied += 1
    await conn.execute(MARK_RESOLVED, letter_id)
    log.info(
        "dead letter resolved",
        extra={"consumer": consumer, "id": letter_id, "how": letter["resolution"]},
    )
    key = letter["key"]
    if key is None or await conn.fetchval(OPEN_LETTERS_OF_KEY, consumer, key):
        return applied  # no key to release, or another letter still holds it
    for held in await conn.fetch(HELD_IN_ORDER, consumer, key):
        failure = await _apply_stored(conn, consumer, held, apply)
        await conn.execute(RELEASE, held["id"])
        if failure is not None:
            await _dead_letter_released(conn, consumer, held, failure)
            break  # the rest stay held, now behind this event's letter
        applied += 1
    return applied


async def _apply_stored(
    conn: Connection, consumer: str, row: asyncpg.Record, apply: Apply
) -> str | None:
    """Apply a stored record in a savepoint; why it failed, or None when it was applied."""
    try:
        async with conn.transaction():
            await apply(conn, _record(row))
            if row["event_id"] is not None:
                await conn.execute(SET_INBOX_OUTCOME, consumer, row["event_id"], "processed")
    except Exception as exc:
        if unavailable_for_now(exc):
            raise  # not the event's fault: the whole resolution is tried again later
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


async def _dead_letter_released(
    conn: Connection, consumer: str, held: asyncpg.Record, error: str
) -> None:
    letter = DeadLetter(
        consumer=consumer,
        topic=held["source_topic"],
        partition=held["source_partition"],
        offset=held["source_offset"],
        key=held["key"],
        value=held["value"],
        reason=HANDLER_FAILED,
        error=error,
        attempts=1,
        event_id=held["event_id"],
    )
    await record_dead_letter(conn, letter)
    await conn.execute(SET_INBOX_OUTCOME, consumer, held["event_id"], "dead_lettered")


def _record(row: asyncpg.Record) -> ConsumerRecord[bytes, bytes]:
    value = bytes(row["value"] or b"")
    key = bytes(row["key"]) if row["key"] is not None else None
    return ConsumerRecord(
        topic=row["source_topic"],
        partition=row["source_partition"],
        offset=row["source_offset"],
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=(),
    )
