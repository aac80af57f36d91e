"""The outbox relay: publishes committed outbox rows to the broker, in id (and so key) order.

One relay per service database is active at a time (a PostgreSQL advisory lock elects it), because
two relays publishing interleaved batches could reorder one referral's events. It wakes on
LISTEN/NOTIFY (sent after each writer's commit) and polls as a fallback, so a lost notification
delays but never loses an event. The lock lives as long as the leader's session: a relay whose
session ends stops publishing (a batch already in flight still completes) and stands again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from opentelemetry import context

from warmlink import telemetry
from warmlink.broker_loss import BrokerWatch
from warmlink.db import DATABASE_ERRORS, Connection
from warmlink.kafka import topic_name
from warmlink.outbox import CHANNEL
from warmlink.pool import holds_session_state
from warmlink.settings import ServiceSettings
from warmlink.waits import woken

log = logging.getLogger(__name__)

LEADER_LOCK = 0x52454C59  # "RELY"
SELECT_UNPUBLISHED = """
SELECT id, topic, key, payload, headers FROM outbox
WHERE published_at IS NULL ORDER BY id LIMIT $1"""
MARK_PUBLISHED = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
DELETE_EXPIRED = """
DELETE FROM outbox WHERE published_at IS NOT NULL
AND published_at < now() - make_interval(days => $1)"""
CRASH_EXIT_CODE = 86


class OutboxRelay:
    def __init__(
        self, pool: asyncpg.Pool, producer: AIOKafkaProducer, settings: ServiceSettings
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._settings = settings
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self.published = 0
        self.is_leader = False
        self._session_lost = False
        self.broker_watch = BrokerWatch(pool, producer, settings)

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Stand for election and publish while leading. Leadership is the session's lock: when
        the session ends (the database restarted, the connection was cut) the lock is gone and
        another relay may already lead, so this one stops publishing and stands again."""
        while not self._stopping.is_set():
            try:
                await self._lead()
            except DATABASE_ERRORS as exc:
                log.warning("relay lost its session; standing again", extra={"error": repr(exc)})
                await self._sleep(self._settings.outbox_poll_interval_s)
            finally:
                self.is_leader = False

    async def _lead(self) -> None:
        self._session_lost = False
        async with self._pool.acquire() as conn:
            await self._become_leader(conn)
            if self._stopping.is_set():
                return
            await conn.add_listener(CHANNEL, self._notified)
            conn.add_termination_listener(self._session_ended)
            try:
                await self._loop()
            finally:
                if not self._session_lost:  # else asyncpg has already given it back, unlocked
                    conn.remove_termination_listener(self._session_ended)
                    await conn.remove_listener(CHANNEL, self._notified)
                    await conn.execute("SELECT pg_advisory_unlock($1)", LEADER_LOCK)

    def _session_ended(self, _conn: object) -> None:
        self._session_lost = True
        self._wake.set()

    async def _become_leader(self, conn: Connection) -> None:
        holds_session_state(conn)  # the leader's lock is the session's: reset on release
        while not self._stopping.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
                self.is_leader = True
                return
            await self._sleep(self._settings.outbox_poll_interval_s)

    async def _loop(self) -> None:
        last_cleanup = last_broker_check = 0.0
        while not self._stopping.is_set():
            if self._session_lost:  # no longer the leader: no batch, no drain
                log.warning("relay's session ended; it no longer leads and stands again")
                return
            self._wake.clear()
            # Before publishing: a broker that lost its topics can fail every publish (Apache
            # Kafka does not create them on a send), and the check is what re-creates them.
            if self._broker_check_due(last_broker_check):
                last_broker_check = time.monotonic()
                await self._check_broker()
            try:
                sent = await self.publish_batch()
            except (KafkaError, *DATABASE_ERRORS) as exc:
                log.warning("relay publish failed, will retry", extra={"error": type(exc).__name__})
                await self._sleep(self._settings.outbox_poll_interval_s)
                continue
            if time.monotonic() - last_cleanup > 3600:
                await self._delete_expired()
                last_cleanup = time.monotonic()
            if sent < self._settings.outbox_batch_size:
                await self._wait_for_work()
        await self._drain()

    def _broker_check_due(self, last: float) -> bool:
        interval = self._settings.broker_check_interval_s
        return interval > 0 and (last == 0.0 or time.monotonic() - last >= interval)

    async def _check_broker(self) -> bool:
        """Whether the broker had lost its log (and the outbox is queued again). A check that
        fails is tried again at the next interval: the relay goes on publishing meanwhile."""
        try:
            return await self.broker_watch.check()
        except (KafkaError, *DATABASE_ERRORS) as exc:
            log.warning("broker check failed, will retry", extra={"error": type(exc).__name__})
            return False

    async def publish_batch(self) -> int:
        """Publish up to one batch of committed rows, then mark them. Returns how many."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(SELECT_UNPUBLISHED, self._settings.outbox_batch_size)
            if not rows:
                return 0
            if self._settings.fault_crash_before_publish:
                os._exit(CRASH_EXIT_CODE)  # simulate a crash after commit, before publish
            pending = [await self._send(row) for row in rows]
            await asyncio.gather(*pending)
            await conn.execute(MARK_PUBLISHED, [row["id"] for row in rows])
        self.published += len(rows)
        return len(rows)

    async def _send(self, row: asyncpg.Record) -> asyncio.Future[Any]:
        """With aiokafka's instrumentation on, sent in the trace context stored with the row
        (the request or handler that wrote it), so the producer span joins that trace; the
        instrumentation then writes the trace headers itself (appended: a second traceparent
        would split the trace), so the stored ones are left out. Off, the stored ones go."""
        headers = [(k, v.encode()) for k, v in orjson.loads(row["headers"]).items()]
        if not telemetry.instrumented():
            return await self._publish(row, headers)
        token = context.attach(telemetry.extract_context(headers))
        try:
            return await self._publish(
                row, [(k, v) for k, v in headers if k not in telemetry.TRACE_HEADERS]
            )
        finally:
            context.detach(token)

    async def _publish(
        self, row: asyncpg.Record, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self._producer.send(
            topic_name(self._settings, row["topic"]),
            value=bytes(row["payload"]),
            key=row["key"].encode(),
            headers=headers,
        )
        return future

    async def _drain(self) -> None:
        """On shutdown, publish what is already committed so a clean stop leaves nothing behind."""
        with contextlib.suppress(KafkaError, *DATABASE_ERRORS):
            while await self.publish_batch():
                pass

    async def _delete_expired(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(DELETE_EXPIRED, self._settings.outbox_retention_days)

    async def _wait_for_work(self) -> None:
        await woken(self._wake, self._settings.outbox_poll_interval_s)

    async def _sleep(self, seconds: float) -> None:
        await woken(self._stopping, seconds)

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
