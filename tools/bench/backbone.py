"""`make bench-backbone`: outbox -> relay -> broker -> idempotent consumer -> commit.

Two runs, each beside a floor measured on the same broker in the same run (bare aiokafka produce
-> consume, same client settings, no database), and reported as a ratio to it:
1. throughput: N events written through the outbox as fast as handlers can commit them (batches
   of 100 events per transaction), until the consumer has committed every effect;
2. latency: one event per transaction (one handler commit each), measured from the event's
   occurred_at to the consumer's commit of its effect, at a rate derived in the run: half the
   least of the floor's throughput and ours at one event per transaction (`report.latency_rate`).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection as Connection_
from pathlib import Path
from typing import ClassVar

import uvloop
from pydantic_settings import SettingsConfigDict

from contracts import Envelope, ScreenPositive, new_event_id
from tools.bench.floor import floor
from tools.bench.report import latency_rate, paced, print_report, summary, times, vs_floor
from tools.dev.broker import EmbeddedBroker
from tools.dev.postgres import EmbeddedPostgres
from tools.dev.processes import free_port
from warmlink.consumer import Subscription
from warmlink.db import Connection
from warmlink.kafka import ensure_topics
from warmlink.outbox import publish_later
from warmlink.service import Runtime, ServiceSpec, start_runtime
from warmlink.settings import ServiceSettings

WRITERS = 8  # concurrent one-event writers when measuring what the latency run's shape sustains


class BenchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BENCH_", extra="ignore")
    service_name: ClassVar[str] = "bench"


async def record(conn: Connection, envelope: Envelope, event: ScreenPositive) -> None:
    await conn.execute(
        "INSERT INTO bench_effects (event_id, screening_id) VALUES ($1, $2)",
        envelope.event_id,
        event.screening_id,
    )


def _event() -> ScreenPositive:
    return ScreenPositive(
        screening_id=new_event_id(),
        site_id="bench-site",
        patient_ref="bench",
        instrument="EPDS",
        total=14,
        band="probable_depression",
        urgent=False,
        setting="ob",
        screened_at=datetime.now(UTC),
    )


class Probe:
    """Counts committed effects and their end-to-end latency."""

    def __init__(self) -> None:
        self.latencies_ms: list[float] = []
        self.done = 0
        self.target = 0
        self.finished = asyncio.Event()

    def __call__(self, envelopes: list[Envelope]) -> None:
        now = datetime.now(UTC)
        self.latencies_ms.extend((now - e.occurred_at).total_seconds() * 1000 for e in envelopes)
        self.done += len(envelopes)
        if self.done >= self.target:
            self.finished.set()

    def expect(self, count: int) -> None:
        self.latencies_ms.clear()
        self.done, self.target = 0, count
        self.finished.clear()


async def _write(runtime: Runtime, count: int, per_tx: int) -> None:
    for start in range(0, count, per_tx):
        async with runtime.pool.acquire() as conn, conn.transaction():
            for _ in range(min(per_tx, count - start)):
                await publish_later(conn, _event(), producer="bench")


async def _write_concurrently(runtime: Runtime, count: int, writers: int) -> None:
    """`count` one-event transactions from `writers` concurrent writers, as fast as they commit."""
    await asyncio.gather(*(_write(runtime, count // writers, 1) for _ in range(writers)))


def _consumer_process(settings_json: str, pipe: Connection_) -> None:
    """The consuming service, in its own process as in production: reports committed latencies."""

    async def main() -> None:
        settings = BenchSettings.model_validate_json(settings_json)
        probe = Probe()
        spec = ServiceSpec(
            settings=settings,
            migrations=Path(__file__).parent / "sql",
            subscriptions=[Subscription("bench.effects", {"ScreenPositive": record})],
        )
        runtime = await start_runtime(spec)
        runtime.consumers[0].after_commit = probe
        await runtime.consumers[0].started.wait()
        loop = asyncio.get_running_loop()
        try:
            while True:
                command, count = await loop.run_in_executor(None, pipe.recv)
                if command == "stop":
                    return
                probe.expect(count)
                pipe.send("armed")
                await probe.finished.wait()
                pipe.send(probe.latencies_ms)
        finally:
            await runtime.stop()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())


async def _warmlink(
    producing: BenchSettings,
    consuming: BenchSettings,
    events: int,
    floor_per_s: float,
    rate: int | None,
    seconds: int,
) -> tuple[dict[str, float], int]:
    """Producing service here (writer + relay); consuming service in a child process. Returns
    the figures and the latency run's rate (`rate`, or derived from this run's capacities)."""
    parent, child = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_consumer_process, args=(consuming.model_dump_json(), child), daemon=True
    )
    process.start()
    loop = asyncio.get_running_loop()

    async def expect(count: int) -> None:
        parent.send(("expect", count))
        assert await loop.run_in_executor(None, parent.recv) == "armed"

    async def committed() -> list[float]:
        latencies: list[float] = await loop.run_in_executor(None, parent.recv)
        return latencies

    spec = ServiceSpec(settings=producing, migrations=Path(__file__).parent / "sql")
    runtime = await start_runtime(spec)
    try:
        await expect(1000)  # warm-up: group join, first fetches, connection pools
        await _write(runtime, 1000, 100)
        await committed()

        await expect(events)
        started = time.perf_counter()
        await _write(runtime, events, 100)
        await committed()
        throughput = events / (time.perf_counter() - started)
        print(f"  warmlink throughput run: {events} events, {throughput:,.0f} events/s")

        single = WRITERS * max(1, min(events, 2000) // WRITERS)
        await expect(single)
        started = time.perf_counter()
        await _write_concurrently(runtime, single, WRITERS)
        await committed()
        single_per_s = single / (time.perf_counter() - started)
        print(f"  warmlink one event per transaction: {single_per_s:,.0f} events/s")
        rate = rate or latency_rate(floor_per_s, single_per_s)

        async def one() -> None:
            await _write(runtime, 1, 1)

        await expect(rate * seconds)
        await paced(rate, seconds, one)
        lat = await asyncio.wait_for(committed(), 60)
        print(f"  warmlink latency run: {len(lat)} events at {rate}/s")
        return summary(throughput, lat) | {"single_per_s": single_per_s}, rate
    finally:
        parent.send(("stop", 0))
        await runtime.stop()
        process.join(30)


async def _measure(
    settings: BenchSettings, consuming: BenchSettings, events: int, rate: int | None, seconds: int
) -> tuple[dict[str, float], dict[str, float], int]:
    """Both throughputs first, then both latencies at the one rate derived from them."""
    await ensure_topics(settings)
    print(f"floor: bare aiokafka produce -> consume, {events} events")
    async with floor(settings) as bare:
        floor_per_s = await bare.throughput(events)
    print("warmlink: outbox -> relay -> broker -> consumer -> commit, same sizes")
    ours, rate = await _warmlink(settings, consuming, events, floor_per_s, rate, seconds)
    print(f"floor: latency at {rate}/s x {seconds}s")
    async with floor(settings) as bare:
        return summary(floor_per_s, await bare.latencies(rate, seconds)), ours, rate


def run(events: int, rate: int | None, seconds: int) -> None:
    """`rate` None: the latency runs' rate is derived from this run's throughputs."""
    root = Path(tempfile.mkdtemp(prefix="warmlink-bench-"))
    pg = EmbeddedPostgres(root / "pg", free_port(), root / "pg.log", fsync=True)
    broker = EmbeddedBroker(free_port(), root / "broker.log")
    print(f"starting embedded PostgreSQL (fsync on) and broker in {root} ...")
    pg.start()
    broker.start()
    try:
        pg.ensure_databases(["bench_producer", "bench_consumer"])
        settings = BenchSettings(
            database_url=pg.url("bench_producer"),
            consumers_enabled=False,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            environment="test",
            log_level="WARNING",
        )
        consuming = settings.model_copy(
            update={
                "database_url": pg.url("bench_consumer"),
                "relay_enabled": False,
                "consumers_enabled": True,
            }
        )
        # uvloop, as the services run under uvicorn.
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            f, o, rate = runner.run(_measure(settings, consuming, events, rate, seconds))
    finally:
        broker.stop()
        pg.stop()
    shutil.rmtree(root, ignore_errors=True)  # kept only when the run failed
    ratios = {k: vs_floor(o[k], f[k]) for k in ("events_per_s", "p50_ms", "p99_ms")}
    print_report(
        "bench-backbone",
        [
            (
                "throughput (events/s)",
                f"{o['events_per_s']:,.0f}",
                f"{f['events_per_s']:,.0f}",
                times(ratios["events_per_s"]),
                ">= 5,000",
            ),
            (
                f"latency p50 at {rate}/s (ms)",
                f"{o['p50_ms']:.1f}",
                f"{f['p50_ms']:.1f}",
                times(ratios["p50_ms"]),
                "",
            ),
            (
                f"latency p99 at {rate}/s (ms)",
                f"{o['p99_ms']:.1f}",
                f"{f['p99_ms']:.1f}",
                times(ratios["p99_ms"]),
                "<= 50",
            ),
            ("one event per transaction (events/s)", f"{o['single_per_s']:,.0f}", "", "", ""),
        ],
        {
            "events_per_s": round(o["events_per_s"]),
            "p50_ms": round(o["p50_ms"], 2),
            "p99_ms": round(o["p99_ms"], 2),
            "floor_events_per_s": round(f["events_per_s"]),
            "floor_p50_ms": round(f["p50_ms"], 2),
            "floor_p99_ms": round(f["p99_ms"], 2),
            "events_per_s_vs_floor": ratios["events_per_s"],
            "p50_ms_vs_floor": ratios["p50_ms"],
            "p99_ms_vs_floor": ratios["p99_ms"],
            "single_tx_events_per_s": round(o["single_per_s"]),
            "rate_per_s": rate,
            "events": events,
        },
    )
