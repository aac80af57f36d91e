"""The idempotent consumer: every effect commits together with its inbox row, offsets after that.

Fast path: a whole fetched batch in one transaction (one inbox statement for the batch). If any
handler fails, the batch rolls back and is replayed record by record, in order, each record retried
with backoff; after `consumer_max_attempts` it is dead-lettered and the consumer moves on.
Undecodable records are dead-lettered at once. A database that cannot take the work now
(unreachable, restarting, read-only, a lock or statement timeout, too many connections: see
`warmlink.db.UNAVAILABLE_FOR_NOW`) is waited out without limit, offsets uncommitted, and never
dead-letters anything: the consumer waits for the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError
from opentelemetry.trace import SpanKind

from contracts import Envelope, EventPayload, UndecodableEvent, decode, payload_of
from contracts.registry import event_class
from warmlink.backoff import exponential_delay
from warmlink.db import DATABASE_ERRORS, Connection, unavailable_for_now
from warmlink.deadletter import HANDLER_FAILED, UNDECODABLE, DeadLetter, record_dead_letter
from warmlink.held_back import Holding, hold_back, open_letter_keys, resolve_requested
from warmlink.kafka import commit_as_member, group_membership, new_consumer
from warmlink.settings import ServiceSettings
from warmlink.telemetry import extract_context, tracer
from warmlink.waits import woken

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Envelope, Any], Awaitable[None]]

CLAIM_BATCH = """
INSERT INTO inbox (consumer, event_id, event_type, outcome)
SELECT $1, e.event_id, e.event_type, $4
FROM unnest($2::uuid[], $3::text[]) AS e(event_id, event_type)
ON CONFLICT DO NOTHING
RETURNING event_id"""

# A background subscription's wait (see `Subscription.background`): its effects may land 0.1 s
# later.
BACKGROUND_WAIT_MS = 100

LAG_TIMEOUT_S = 1.0  # metrics ask the broker for end offsets; a scrape must not hang


@dataclass(frozen=True)
class Subscription:
    """What one consumer group handles: event type -> handler. Topics follow from the contracts."""

    consumer: str
    handlers: Mapping[str, Handler]
    # Nobody watches this consumer's effects at the speed of a click: it waits BACKGROUND_WAIT_MS
    # for an idle broker, not the service's `kafka_fetch_max_wait_ms`. Tansu holds every fetch
    # for the full wait, so an idle consumer asks it 1000/wait times a second. Measured on
    # bench-loop's stack at rest (directory, two referral replicas), with the capacity and
    # follow-up consumers in the background: broker 16% -> 10% of a core, directory 4.4% ->
    # 1.1%, referral 11% -> 9%. Apache Kafka answers a fetch as soon as data is there, and the
    # production profile keeps its default.
    background: bool = False

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(sorted({event_class(t, 1).TOPIC for t in self.handlers}))


@dataclass
class ConsumerStats:
    processed: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    held_back: int = 0
    last_batch_at: float = 0.0


@dataclass
class _Item:
    record: ConsumerRecord[bytes, bytes]
    envelope: Envelope | None = None
    payload: EventPayload | None = None
    handler: Handler | None = None
    error: str | None = None


class _Stopping(Exception):
    """Raised to abandon a batch (uncommitted) when shutdown interrupts a retry."""


@dataclass
class IdempotentConsumer:
    subscription: Subscription
    pool: asyncpg.Pool
    settings: ServiceSettings
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    # Called with the envelopes whose effects just committed (metrics, benchmarks).
    after_commit: Callable[[list[Envelope]], None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _rewinding: asyncio.Event = field(default_factory=asyncio.Event)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    _kafka: AIOKafkaConsumer | None = field(default=None, init=False, repr=False)

    @property
    def name(self) -> str:
        return self.subscription.consumer

    async def run(self) -> None:
        consumer = new_consumer(
            self.settings,
            self.name,
            self.subscription.topics,
            BACKGROUND_WAIT_MS if self.subscription.background else None,
        )
        await consumer.start()
        self._kafka = consumer
        self.started.set()
        last_resolutions = 0.0
        try:
            while not self._stopping.is_set():
                if self._clock() - last_resolutions >= self.settings.consumer_resolution_poll_s:
                    last_resolutions = self._clock()
                    await self._carry_out_resolutions()
                if self._rewinding.is_set():
                    self._rewinding.clear()
                    await consumer.seek_to_beginning()
                    log.warning(
                        "reading from the start of the broker's new log",
                        extra={"consumer": self.name},
                    )
                batches = await consumer.getmany(
                    timeout_ms=100, max_records=self.settings.consumer_batch_size
                )
                if not batches:
                    continue
                fetched_under = group_membership(consumer)
                records = [r for part in batches.values() for r in part]
                try:
                    await self.process(records)
                except _Stopping:
                    break
                await self._commit(consumer, batches, fetched_under)
        finally:
            self._kafka = None
            await consumer.stop()

    def stop(self) -> None:
        self._stopping.set()

    def rewind(self) -> None:
        """Read every assigned partition again from its start, before the next fetch (the broker
        lost its log: warmlink.broker_loss). What was applied already is a no-op (the inbox)."""
        self._rewinding.set()

    @staticmethod
    def _clock() -> float:
        return asyncio.get_running_loop().time()

    async def _carry_out_resolutions(self) -> None:
        """Replay or discard the dead letters a person resolved, then release what they held."""
        try:
            applied = await resolve_requested(self.pool, self.name, self._replay)
        except DATABASE_ERRORS as exc:
            log.warning("dead letter resolutions wait", extra={"error": type(exc).__name__})
            return
        self.stats.processed += applied

    async def _replay(self, conn: Connection, record: ConsumerRecord[bytes, bytes]) -> None:
        item = self._decode(record)
        if item.error is not None:
            raise UndecodableEvent(item.error)
        if item.handler is not None:
            await self._handle(conn, item)

    async def lag(self) -> dict[TopicPartition, int]:
        """Per assigned partition, records on the broker not yet fetched: end offset - position.

        Read-only, for metrics. The end offsets are asked of the broker: the highwater cached
        from the last fetch stops moving while a handler is stuck (a partition with buffered
        records is not fetched again), which is exactly when lag matters. If the broker does not
        answer, the cached highwater is used. Empty when the consumer is not running.
        """
        kafka = self._kafka
        if kafka is None:
            return {}
        # Fetched at least once: has a position (aiokafka would wait for one) and a highwater.
        fetched = {tp: kafka.highwater(tp) for tp in kafka.assignment()}
        fetched = {tp: end for tp, end in fetched.items() if end is not None}
        if not fetched:
            return {}
        try:
            ends = await asyncio.wait_for(kafka.end_offsets(list(fetched)), LAG_TIMEOUT_S)
        except (KafkaError, TimeoutError):
            ends = fetched
        lags: dict[TopicPartition, int] = {}
        for tp, end in ends.items():
            if tp not in kafka.assignment():
                continue  # reassigned while we asked
            try:
                position = await asyncio.wait_for(kafka.position(tp), LAG_TIMEOUT_S)
            except (IllegalStateError, TimeoutError):
                continue
            lags[tp] = max(end - position, 0)
        return lags

    async def process(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        items = [self._decode(r) for r in records]
        try:
            await self._apply(items)
        except _Stopping:
            raise
        except Exception:
            for item in items:
                await self._apply_with_retries(item)
        self.stats.last_batch_at = asyncio.get_running_loop().time()

    def _decode(self, record: ConsumerRecord[bytes, bytes]) -> _Item:
        item = _Item(record)
        try:
            item.envelope = decode(record.value)
            handler = self.subscription.handlers.get(item.envelope.type)
            if handler is not None:
                item.payload = payload_of(item.envelope)
                item.handler = handler
        except UndecodableEvent as exc:
            item.error = exc.reason
        return item

    async def _apply(self, items: list[_Item]) -> None:
        handled = [i for i in items if i.handler is not None and i.envelope is not None]
        done: list[Envelope] = []
        async with self.pool.acquire() as conn, conn.transaction():
            held = await self._hold_back(conn, items, handled)
            fresh = await self._claim(conn, [i for i in handled if id(i) not in held], "processed")
            processed = duplicates = dead = 0
            for item in items:
                if item.error is not None:
                    dead += await self._dead_letter(conn, item, UNDECODABLE, item.error, 1)
                elif id(item) in held:
                    continue
                elif item.handler is not None and item.envelope is not None:
                    if item.envelope.event_id not in fresh:
                        duplicates += 1
                        continue
                    fresh.discard(item.envelope.event_id)
                    await self._handle(conn, item)
                    done.append(item.envelope)
                    processed += 1
        if self.after_commit is not None and done:
            self.after_commit(done)
        self.stats.processed += processed
        self.stats.duplicates += duplicates
        self.stats.dead_lettered += dead
        self.stats.held_back += len(held)
        self.stats.skipped += len(items) - processed - duplicates - dead - len(held)

    async def _hold_back(
        self, conn: Connection, items: list[_Item], handled: list[_Item]
    ) -> set[int]:
        """Hold back (claim as `held_back` and keep) each handled item whose key has an open
        dead letter, or an undecodable record before it in this batch. Returns their ids()."""
        keys = await open_letter_keys(
            conn, self.name, (i.record.key for i in items if i.record.key)
        )
        handled_ids = {id(i) for i in handled}
        holding: list[_Item] = []
        for item in items:
            key = item.record.key
            if key is None:
                continue
            if item.error is not None:
                keys.add(key)
            elif id(item) in handled_ids and key in keys:
                holding.append(item)
        if not holding:
            return set()
        fresh = await self._claim(conn, holding, "held_back")
        await hold_back(
            conn,
            self.name,
            [
                Holding(i.record.key, i.envelope.event_id, i.record)
                for i in holding
                if i.record.key is not None and i.envelope and i.envelope.event_id in fresh
            ],
        )
        return {id(i) for i in holding}

    async def _handle(self, conn: Connection, item: _Item) -> None:
        assert item.handler is not None and item.envelope is not None
        parent = extract_context(item.record.headers)
        with tracer(__name__).start_as_current_span(
            f"handle {item.envelope.type}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": str(item.envelope.event_id),
                "warmlink.subject": item.envelope.subject,
            },
        ):
            await item.handler(conn, item.envelope, item.payload)

    async def _claim(self, conn: Connection, items: list[_Item], outcome: str) -> set[UUID]:
        if not items:
            return set()
        ids = [i.envelope.event_id for i in items if i.envelope]
        types = [i.envelope.type for i in items if i.envelope]
        rows = await conn.fetch(CLAIM_BATCH, self.name, ids, types, outcome)
        return {r["event_id"] for r in rows}

    async def _apply_with_retries(self, item: _Item) -> None:
        failures = tries = 0
        while True:
            tries += 1
            try:
                await self._apply([item])
                return
            except Exception as exc:
                if unavailable_for_now(exc):
                    log.warning("database unavailable, retrying", extra=self._where(item, exc))
                    await self._backoff(self._delay(tries))
                    continue
                failures += 1
                log.warning("handler failed", extra=self._where(item, exc) | {"attempt": failures})
                if failures >= self.settings.consumer_max_attempts:
                    await self._dead_letter_alone(item, exc, failures)
                    return
            await self._backoff(self._delay(tries))

    def _delay(self, tries: int) -> float:
        s = self.settings
        return exponential_delay(tries, s.consumer_backoff_initial_s, s.consumer_backoff_max_s)

    async def _dead_letter_alone(self, item: _Item, exc: Exception, attempts: int) -> None:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
        while True:
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if item.envelope is not None:
                        if not await self._claim(conn, [item], "dead_lettered"):
                            return  # processed or dead-lettered by an earlier delivery
                    self.stats.dead_lettered += await self._dead_letter(
                        conn, item, HANDLER_FAILED, error, attempts
                    )
                return
            except Exception as exc:
                if not unavailable_for_now(exc):
                    raise
                await self._backoff(self.settings.consumer_backoff_max_s)

    async def _dead_letter(
        self, conn: Connection, item: _Item, reason: str, error: str, attempts: int
    ) -> int:
        r = item.record
        letter = DeadLetter(
            consumer=self.name,
            topic=r.topic,
            partition=r.partition,
            offset=r.offset,
            key=r.key,
            value=r.value,
            reason=reason,
            error=error,
            attempts=attempts,
            event_id=item.envelope.event_id if item.envelope else None,
        )
        fresh = await record_dead_letter(conn, letter)
        if fresh:
            log.error("dead-lettered", extra=self._where(item) | {"reason": reason})
        return int(fresh)

    async def _backoff(self, seconds: float) -> None:
        if await woken(self._stopping, seconds):
            raise _Stopping

    async def _commit(
        self,
        consumer: AIOKafkaConsumer,
        batches: Mapping[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
        fetched_under: tuple[int, str] | None,
    ) -> None:
        offsets = {tp: records[-1].offset + 1 for tp, records in batches.items() if records}
        try:
            if not await commit_as_member(consumer, offsets, fetched_under):
                # Safe for the same reason: after the rejoin the batch is read again.
                log.warning(
                    "group membership changed during a batch; its offsets are not committed",
                    extra={"consumer": self.name},
                )
        except KafkaError as exc:
            # Safe to go on: the inbox turns the redelivery this causes into no-ops.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": repr(exc)})

    def _where(self, item: _Item, exc: BaseException | None = None) -> dict[str, Any]:
        where: dict[str, Any] = {
            "consumer": self.name,
            "topic": item.record.topic,
            "partition": item.record.partition,
            "offset": item.record.offset,
        }
        if item.envelope is not None:
            where["event_id"] = str(item.envelope.event_id)
            where["event_type"] = item.envelope.type
        if exc is not None:
            where["error"] = type(exc).__name__
        return where
