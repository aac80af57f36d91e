"""The floor for bench-backbone: bare aiokafka produce -> consume, same broker, no database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts.topics import SCREENING
from tools.bench.report import paced
from warmlink.kafka import new_consumer, new_producer, topic_name
from warmlink.settings import ServiceSettings

PAYLOAD = b"x" * 400  # about the size of an encoded ScreenPositive envelope


class Floor:
    """Bare aiokafka on the same broker: the fastest the broker path can go here. Its
    throughput comes first; its latency is measured later, at the rate the run derives."""

    def __init__(self, producer: AIOKafkaProducer, consumer: AIOKafkaConsumer, topic: str):
        self.producer, self.consumer, self.topic = producer, consumer, topic

    async def _send(self) -> None:
        await self.producer.send(self.topic, PAYLOAD, key=str(time.time()).encode())

    async def consume(self, count: int, since: float = 0.0) -> list[float]:
        """Latencies of `count` records sent at or after `since`: a consumer that joins the
        group again starts from the earliest offset (none is committed) and reads older ones."""
        latencies: list[float] = []
        while len(latencies) < count:
            for records in (await self.consumer.getmany(timeout_ms=100, max_records=500)).values():
                now = time.time()
                sent = (float(r.key or b"0") for r in records)
                latencies.extend((now - t) * 1000 for t in sent if t >= since)
        return latencies

    async def throughput(self, events: int) -> float:
        started = time.perf_counter()
        reader = asyncio.create_task(self.consume(events, since=time.time()))
        for _ in range(events):
            await self._send()
        await self.producer.flush()
        await reader
        return events / (time.perf_counter() - started)

    async def latencies(self, rate: int, seconds: int) -> list[float]:
        async def one() -> None:
            await self.producer.send_and_wait(self.topic, PAYLOAD, key=str(time.time()).encode())

        reader = asyncio.create_task(self.consume(rate * seconds, since=time.time()))
        await paced(rate, seconds, one)
        return await reader


@asynccontextmanager
async def floor(settings: ServiceSettings) -> AsyncIterator[Floor]:
    topic = topic_name(settings, "floor." + SCREENING)
    producer = new_producer(settings)
    consumer = new_consumer(settings, "floor", [])
    consumer.subscribe([topic])
    await producer.start()
    await consumer.start()
    try:
        ready = Floor(producer, consumer, topic)
        since = time.time()
        await producer.send_and_wait(topic, PAYLOAD, key=str(since).encode())
        await ready.consume(1, since)  # warm-up: group join, first fetch
        yield ready
    finally:
        await consumer.stop()
        await producer.stop()
