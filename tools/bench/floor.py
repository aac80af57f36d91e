"""The floor for bench-backbone: bare aiokafka produce -> consume, same broker, no database."""

from __future__ import annotations

import asyncio
import time

from contracts.topics import SCREENING
from tools.bench.report import paced, summary
from warmlink.kafka import new_consumer, new_producer, topic_name
from warmlink.settings import ServiceSettings


async def measure_floor(
    settings: ServiceSettings, events: int, rate: int, seconds: int
) -> dict[str, float]:
    """Bare aiokafka on the same broker: the fastest the broker path can go here."""
    topic = topic_name(settings, "floor." + SCREENING)
    producer = new_producer(settings)
    consumer = new_consumer(settings, "floor", [])
    consumer.subscribe([topic])
    await producer.start()
    await consumer.start()
    payload = b"x" * 400  # about the size of an encoded ScreenPositive envelope

    async def consume(count: int) -> list[float]:
        latencies: list[float] = []
        while len(latencies) < count:
            for records in (await consumer.getmany(timeout_ms=100, max_records=500)).values():
                now = time.time()
                latencies.extend((now - float(r.key or b"0")) * 1000 for r in records)
        return latencies

    try:
        await producer.send_and_wait(topic, payload, key=str(time.time()).encode())
        await consume(1)
        started = time.perf_counter()
        reader = asyncio.create_task(consume(events))
        for _ in range(events):
            await producer.send(topic, payload, key=str(time.time()).encode())
        await producer.flush()
        await reader
        throughput = events / (time.perf_counter() - started)

        async def one() -> None:
            await producer.send_and_wait(topic, payload, key=str(time.time()).encode())

        reader = asyncio.create_task(consume(rate * seconds))
        await paced(rate, seconds, one)
        lat = await reader
        return summary(throughput, lat)
    finally:
        await consumer.stop()
        await producer.stop()
