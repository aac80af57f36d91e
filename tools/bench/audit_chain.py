"""What the audit log's chain costs: request-shaped transactions (one row of their own, one audit
row, commit) on a private PostgreSQL with fsync on, into a log without the chain (the runtime's
migrations up to 004) and one with it (005: the trigger, its advisory lock held to commit).

The two are run alternately, `rounds` times each, with the same connections and load: a figure
holds as the ratio between them, measured in the same run (machines here differ several-fold).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tools.dev.postgres import EmbeddedPostgres
from tools.dev.processes import free_port
from warmlink.audit import audit
from warmlink.auth import Caller, Role
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

CHAIN_MIGRATION = "runtime/005_audit_chain.sql"
CREATE_WORK = "CREATE TABLE bench_work (id bigserial PRIMARY KEY, body text NOT NULL)"
INSERT_WORK = "INSERT INTO bench_work (body) VALUES ($1) RETURNING id"
CALLER = Caller("client:bench", "bench-ob", Role.CLINIC)


@dataclass(frozen=True)
class Run:
    chained: bool
    transactions: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.transactions / self.seconds

    def quantile(self, q: float) -> float:
        return statistics.quantiles(self.latencies_ms, n=100)[int(q * 100) - 1]


async def _prepare(url: str, chained: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        migrations = discover(("runtime", RUNTIME_MIGRATIONS))
        if not chained:
            migrations = [m for m in migrations if m.name < CHAIN_MIGRATION]
        await migrate(conn, migrations)
        await conn.execute(CREATE_WORK)
    finally:
        await conn.close()


async def _load(url: str, chained: bool, connections: int, seconds: float) -> Run:
    pool = await asyncpg.create_pool(url, min_size=connections, max_size=connections)
    assert pool is not None
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def client(n: int) -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                row_id = await conn.fetchval(INSERT_WORK, f"client {n}")
                await audit(conn, CALLER, "write", "bench_work", str(row_id))
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    try:
        await asyncio.gather(*(client(n) for n in range(connections)))
    finally:
        await pool.close()
    return Run(chained, len(latencies), time.monotonic() - started, latencies)


async def _bench(pg: EmbeddedPostgres, connections: int, seconds: float, rounds: int) -> list[Run]:
    admin = await asyncpg.connect(pg.url())
    try:
        for name in ("plain", "chained"):
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    urls = {False: pg.url("plain"), True: pg.url("chained")}
    for chained, url in urls.items():
        await _prepare(url, chained)
    runs = []
    for _ in range(rounds):
        for chained, url in urls.items():
            runs.append(await _load(url, chained, connections, seconds))
    return runs


def run(connections: int = 16, seconds: float = 5.0, rounds: int = 3) -> list[Run]:
    with tempfile.TemporaryDirectory(prefix="warmlink-bench-audit-") as state:
        root = Path(state)
        pg = EmbeddedPostgres(root / "pg", free_port(), root / "pg.log", fsync=True)
        pg.start()
        try:
            return asyncio.run(_bench(pg, connections, seconds, rounds))
        finally:
            pg.stop()


def report(runs: list[Run]) -> str:
    lines = []
    for chained in (False, True):
        mine = [r for r in runs if r.chained is chained]
        rate = statistics.median(r.per_second for r in mine)
        p50 = statistics.median(r.quantile(0.5) for r in mine)
        p99 = statistics.median(r.quantile(0.99) for r in mine)
        label = "chained" if chained else "plain  "
        lines.append(f"{label} {rate:8.0f} tx/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    plain = statistics.median(r.per_second for r in runs if not r.chained)
    chained_rate = statistics.median(r.per_second for r in runs if r.chained)
    lines.append(f"chained / plain throughput: {chained_rate / plain:.2f}")
    return "\n".join(lines)
