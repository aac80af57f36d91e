"""Noticing that the broker lost its log, and refilling it from the outbox without a person.

A broker can come back empty: the development broker keeps everything in memory, and a production
cluster can lose a topic to an operator's mistake or an unclean failover. Events it held but no
consumer had yet applied would then be lost, though every one of them is still in its producer's
outbox (rows are kept `outbox_retention_days` after publishing, warmlink/sql/001).

The relay leader keeps a sentinel: one small record it produced to SENTINEL_TOPIC, whose offset
and random token it saves in its database (`broker_sentinel`). Every `broker_check_interval_s`
it asks the broker for that record. The topic missing, its end offset at or below the saved
offset, the offset out of range, or another record there (someone else's sentinel, written into
a log that started again at 0) are each proof that the log was lost. Only proof counts: a broker
that does not answer is an outage, which the outbox already rides out.

On proof the relay re-creates the network's topics, places a new sentinel and, in one
transaction, saves it and queues every retained outbox row for publishing again. The relay
publishes in id order, so each key's events go out in their first order, ahead of anything newer.
The process's consumers then read every topic again from its start (their positions belong to the
lost log), and their inboxes turn what they had already applied into no-ops.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, OffsetOutOfRangeError

from contracts.topics import SERVICES, Topic
from warmlink.kafka import ensure_topics, network_topics, new_reader, topic_name
from warmlink.outbox import REPUBLISH_RETAINED
from warmlink.settings import ServiceSettings

log = logging.getLogger(__name__)

# One partition: every service's sentinels share it, each told apart by its token. Kept forever:
# a sentinel removed by retention would read as a lost log (and cost one needless re-publish).
SENTINEL_TOPIC = Topic(
    name="warmlink.relay-sentinel",
    key="service name",
    partitions=1,
    retention_ms=-1,
    producers=SERVICES,
    consumers=(),
    events=(),
)
CHECK_TIMEOUT_S = 5.0  # a broker this slow is in an outage, not proven empty

SELECT_SENTINEL = "SELECT topic, partition, record_offset, token FROM broker_sentinel"
SAVE_SENTINEL = """
INSERT INTO broker_sentinel (topic, partition, record_offset, token) VALUES ($1, $2, $3, $4)
ON CONFLICT (singleton) DO UPDATE SET topic = excluded.topic, partition = excluded.partition,
    record_offset = excluded.record_offset, token = excluded.token, placed_at = now()"""


@dataclass(frozen=True)
class Sentinel:
    topic: str
    partition: int
    offset: int
    token: uuid.UUID


@dataclass
class BrokerWatch:
    """The relay leader's check of the broker's memory; `check` is called between batches."""

    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    settings: ServiceSettings
    losses_detected: int = 0
    republished: int = 0
    # Called once the loss is repaired: the process's consumers read the new log from its start.
    # Their positions belong to the lost log; in the new one the same offsets can hold events
    # they never read (published after the loss, before it was noticed), which they would skip.
    on_loss: Callable[[], None] | None = None

    async def check(self) -> bool:
        """True when the broker was found to have lost its log (and recovery was done)."""
        sentinel = await self._saved()
        if sentinel is None:
            await self._save(await self._place(), republish=False)
            return False
        why = await self._lost(sentinel)
        if why is None:
            return False
        await ensure_topics(self.settings, (*network_topics(self.settings), SENTINEL_TOPIC))
        queued = await self._save(await self._place(), republish=True)
        self.losses_detected += 1
        self.republished += queued
        if self.on_loss is not None:
            self.on_loss()
        log.error(
            "the broker lost its log; topics re-created and retained outbox rows queued again",
            extra={"evidence": why, "requeued": queued},
        )
        return True

    async def _saved(self) -> Sentinel | None:
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(SELECT_SENTINEL)
        if row is None:
            return None
        return Sentinel(row["topic"], row["partition"], row["record_offset"], row["token"])

    async def _place(self) -> Sentinel:
        await ensure_topics(self.settings, (SENTINEL_TOPIC,))
        token = uuid.uuid4()
        topic = topic_name(self.settings, SENTINEL_TOPIC.name)
        sent = await self.producer.send_and_wait(
            topic, token.bytes, key=self.settings.service_name.encode()
        )
        return Sentinel(topic, sent.partition, sent.offset, token)

    async def _save(self, sentinel: Sentinel, *, republish: bool) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            queued = 0
            if republish:
                queued = int((await conn.execute(REPUBLISH_RETAINED)).split()[-1])
            await conn.execute(
                SAVE_SENTINEL, sentinel.topic, sentinel.partition, sentinel.offset, sentinel.token
            )
        return queued

    async def _lost(self, sentinel: Sentinel) -> str | None:
        """Why the broker has lost its log, or None when it has not (or cannot tell now)."""
        reader = new_reader(self.settings)
        tp = TopicPartition(sentinel.topic, sentinel.partition)
        try:
            await reader.start()
            if sentinel.topic not in await asyncio.wait_for(reader.topics(), CHECK_TIMEOUT_S):
                return "sentinel topic missing"
            reader.assign([tp])
            ends = await asyncio.wait_for(reader.end_offsets([tp]), CHECK_TIMEOUT_S)
            if ends[tp] <= sentinel.offset:
                return "log ends before the sentinel"
            reader.seek(tp, sentinel.offset)
            fetched = await reader.getmany(tp, timeout_ms=int(CHECK_TIMEOUT_S * 1000))
            records = fetched.get(tp, [])
            if not records:
                return None
            if records[0].offset != sentinel.offset or records[0].value != sentinel.token.bytes:
                return "another record at the sentinel's offset"
            return None
        except OffsetOutOfRangeError:
            return "sentinel offset out of range"
        except (KafkaError, TimeoutError) as exc:
            log.info("broker check inconclusive", extra={"error": type(exc).__name__})
            return None
        finally:
            await reader.stop()
