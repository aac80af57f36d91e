"""`make bench-directory`: matches answered while 100 capacity updates/s arrive, 10,000 practices.

The directory runs as in production (its own process, uvicorn, one worker) on embedded PostgreSQL
(fsync on) and the embedded broker. The floor is an authenticated no-op endpoint (`/v1/whoami`)
on the same server, measured in the same run with the same generator and the same update load.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import threading
import time
from pathlib import Path

import httpx

from warmlink.auth import Role
from warmlink.bench.directory_seed import match_paths, seed
from warmlink.bench.loadgen import LoadResult, load
from warmlink.bench.report import percentile, print_report
from warmlink.dev.processes import free_port
from warmlink.dev.stack import DevStack
from warmlink.tokens import issue_token


class CapacityUpdates(threading.Thread):
    """Confirms capacity of random services at a fixed rate through the API, until stopped."""

    def __init__(self, base_url: str, token: str, service_ids: list[str], rate: int) -> None:
        super().__init__(daemon=True)
        self.base_url, self.token, self.service_ids, self.rate = base_url, token, service_ids, rate
        self.stopping = threading.Event()
        self.sent = self.failed = 0
        self.latencies_ms: list[float] = []
        self.started_at = self.stopped_at = 0.0

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        rng = random.Random(11)
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.base_url, headers=headers) as client:
            self.started_at = time.perf_counter()
            pending: set[asyncio.Task[None]] = set()
            i = 0
            while not self.stopping.is_set():
                delay = self.started_at + i / self.rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                maximum = rng.randint(1, 12)
                body = {"available": rng.randint(0, maximum), "maximum": maximum}
                # Fire and go on: updates arrive at the rate whatever the server's latency.
                task = asyncio.create_task(self._put(client, rng.choice(self.service_ids), body))
                pending.add(task)
                task.add_done_callback(pending.discard)
                i += 1
            self.stopped_at = time.perf_counter()  # the rate is of updates sent
            _, late = await asyncio.wait(pending, timeout=20) if pending else (set(), set())
            for task in late:  # unanswered after 20 s: a failure, not a hang
                task.cancel()
            self.failed += len(late)

    async def _put(self, client: httpx.AsyncClient, service_id: str, body: dict[str, int]) -> None:
        started = time.perf_counter()
        response = await client.put(f"/v1/services/{service_id}/capacity", json=body)
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.sent += 1
        self.failed += response.status_code != 204

    @property
    def per_second(self) -> float:
        return self.sent / max(1e-9, self.stopped_at - self.started_at)


def _figures(result: LoadResult) -> tuple[float, float, float]:
    lat = result.latencies_ms
    return result.per_second, percentile(lat, 50), percentile(lat, 99)


def run(practices: int, seconds: int, connections: int, updates_per_s: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-directory-"))
    port = free_port()
    stack = DevStack(state, pg_port=free_port(), kafka_port=free_port(), ports={"directory": port})
    print(f"starting PostgreSQL (fsync on), broker and the directory service in {state} ...")
    stack.start_infra()
    try:
        stack.start_service("directory", {"LOG_LEVEL": "WARNING", "HTTP_WORKERS": "2"})
        stack.wait_ready("directory")
        assert stack.infra is not None
        started = time.perf_counter()
        service_ids = asyncio.run(seed(stack.infra.database_url_for["directory"], practices))
        print(f"seeded {practices:,} practices in {time.perf_counter() - started:.1f}s")
        token = issue_token(
            stack.signing_key.read_bytes(), organization_id="network-admin", role=Role.ADMIN
        )
        paths = match_paths(1000, random.Random(3))
        updates = CapacityUpdates(f"http://127.0.0.1:{port}", token, service_ids, updates_per_s)
        updates.start()
        print("warming up (3 s) ...")
        load(port, paths, token, 3, connections)
        print(f"floor: GET /v1/whoami, {connections} connections, {seconds}s")
        floor = load(port, ["/v1/whoami"], token, seconds, connections)
        print(f"matches: GET /v1/matches, {connections} connections, {seconds}s")
        ours = load(port, paths, token, seconds, connections)
        updates.stopping.set()
        updates.join(30)
        lat = updates.latencies_ms
        print(
            f"capacity updates: {updates.sent} confirmed through the API, "
            f"p50 {percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} ms"
        )
    finally:
        stack.stop()
    o, f = _figures(ours), _figures(floor)
    print_report(
        f"bench-directory ({practices:,} practices, {updates.per_second:.0f} capacity updates/s)",
        [
            ("requests/s", f"{o[0]:,.0f}", f"{f[0]:,.0f}", ">= 1,000"),
            ("latency p50 (ms)", f"{o[1]:.1f}", f"{f[1]:.1f}", ""),
            ("latency p99 (ms)", f"{o[2]:.1f}", f"{f[2]:.1f}", "<= 20"),
            ("errors", str(ours.errors), str(floor.errors), "0"),
        ],
        {
            "matches_per_s": round(o[0]),
            "p50_ms": round(o[1], 2),
            "p99_ms": round(o[2], 2),
            "floor_per_s": round(f[0]),
            "floor_p50_ms": round(f[1], 2),
            "floor_p99_ms": round(f[2], 2),
            "capacity_updates_per_s": round(updates.per_second, 1),
            "capacity_update_failures": updates.failed,
            "practices": practices,
            "errors": ours.errors + floor.errors,
        },
    )
