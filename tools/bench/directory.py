"""`make bench-directory`: matches answered while 100 capacity updates/s arrive, 10,000 practices.

The directory runs as in production (its own process, uvicorn, two workers) on embedded
PostgreSQL (fsync on) and the embedded broker. The floor is an authenticated no-op endpoint
(`/v1/whoami`) on the same server, measured in the same run with the same generator and the same
update load. Two measurements each: the most answered a second (closed loop: every connection
asks again as soon as it is answered), and latency at one arrival rate for both (open loop), half
the lesser of the two closed-loop figures (`report.latency_rate`), since latency at saturation is
queueing, not the service. Each figure is reported beside the floor's as a ratio.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path

import httpx
import orjson

from tools.bench.directory_seed import match_paths, seed
from tools.bench.loadgen import LoadResult, load, load_at_rate
from tools.bench.loop_client import LoopClient
from tools.bench.report import latency_rate, percentile, print_report, times, vs_floor
from tools.dev.processes import free_port
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token


class CapacityUpdates(threading.Thread):
    """Confirms capacity of random services at a fixed rate through the API, until stopped.

    Raw keep-alive connections (`LoopClient`), like the load generator: an HTTP client library
    queueing 100 requests a second took most of a core from the server under test.
    """

    def __init__(self, port: int, token: str, service_ids: list[str], rate: int) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.service_ids, self.rate = port, token, service_ids, rate
        self.stopping = threading.Event()
        self.sent = self.failed = 0
        self.latencies_ms: list[float] = []
        self.started_at = self.stopped_at = 0.0

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        rng = random.Random(11)
        client = LoopClient(self.port)
        headers = {"Authorization": f"Bearer {self.token}"}
        self.started_at = time.perf_counter()
        pending: set[asyncio.Task[None]] = set()
        i = 0
        while not self.stopping.is_set():
            delay = self.started_at + i / self.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            maximum = rng.randint(1, 12)
            body = orjson.dumps({"available": rng.randint(0, maximum), "maximum": maximum})
            path = f"/v1/services/{rng.choice(self.service_ids)}/capacity"
            # Fire and go on: updates arrive at the rate whatever the server's latency.
            task = asyncio.create_task(self._put(client, path, body, headers))
            pending.add(task)
            task.add_done_callback(pending.discard)
            i += 1
        self.stopped_at = time.perf_counter()  # the rate is of updates sent
        _, late = await asyncio.wait(pending, timeout=20) if pending else (set(), set())
        for task in late:  # unanswered after 20 s: a failure, not a hang
            task.cancel()
        self.failed += len(late)
        client.close()

    async def _put(
        self, client: LoopClient, path: str, body: bytes, headers: dict[str, str]
    ) -> None:
        started = time.perf_counter()
        self.sent += 1
        try:
            status, _ = await client.send("PUT", path, body, headers)
        except (OSError, asyncio.IncompleteReadError):
            self.failed += 1
            return
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.failed += status != 204

    @property
    def per_second(self) -> float:
        return self.sent / max(1e-9, self.stopped_at - self.started_at)


def _figures(result: LoadResult) -> tuple[float, float, float]:
    lat = result.latencies_ms
    return result.per_second, percentile(lat, 50), percentile(lat, 99)


LOADED_PROBE = (  # wide enough to find bench practices in any seeded directory
    "/v1/matches?level_of_care=outpatient_therapy&coverage=plan&plan=aetna"
    "&latitude=41.88&longitude=-87.63&radius_km=500&telehealth_state=IL&limit=50"
)


def _wait_for_index(base_url: str, token: str, path: str = LOADED_PROBE) -> None:
    """Both workers load the seeded directory (a full reload) before anything is measured."""
    deadline, answered = time.monotonic() + 60, 0
    while answered < 10:  # new connections each time, so both workers get asked
        body = httpx.get(base_url + path, headers={"Authorization": f"Bearer {token}"}).text
        answered = answered + 1 if "bench-practice" in body else 0
        if time.monotonic() > deadline:
            raise RuntimeError("the match index did not load the seeded directory in 60 s")
        time.sleep(0.2)


def run(
    practices: int, seconds: int, connections: int, updates_per_s: int, rate: int | None
) -> None:
    """`rate` None: the latency runs' rate is derived from this run's closed-loop figures."""
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-directory-"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
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
        _wait_for_index(base_url, token)
        updates = CapacityUpdates(port, token, service_ids, updates_per_s)
        updates.start()
        print("warming up (3 s) ...")
        load(port, paths, token, 3, connections)
        runs: dict[str, LoadResult] = {}
        for name, what in (("floor", ["/v1/whoami"]), ("matches", paths)):
            print(f"{name}: most answered, {connections} connections, closed loop, {seconds}s")
            runs[name] = load(port, what, token, seconds, connections)
        rate = rate or latency_rate(runs["floor"].per_second, runs["matches"].per_second)
        for name, what in (("floor", ["/v1/whoami"]), ("matches", paths)):
            print(f"{name}: latency at {rate:,} requests/s, open loop, {seconds}s")
            runs[name + "_at_rate"] = load_at_rate(port, what, token, rate, seconds)
        updates.stopping.set()
        updates.join(30)
        lat = updates.latencies_ms
        print(
            f"capacity updates: {updates.sent} confirmed through the API, "
            f"p50 {percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} ms"
        )
    finally:
        stack.stop()
    shutil.rmtree(state, ignore_errors=True)  # kept only when the run failed
    most, most_floor = _figures(runs["matches"]), _figures(runs["floor"])
    o, f = _figures(runs["matches_at_rate"]), _figures(runs["floor_at_rate"])
    errors = sum(r.errors for r in runs.values())
    ratio = vs_floor(most[0], most_floor[0]), vs_floor(o[1], f[1]), vs_floor(o[2], f[2])
    print_report(
        f"bench-directory ({practices:,} practices, {updates.per_second:.0f} capacity updates/s)",
        [
            (
                "most requests/s (closed loop)",
                f"{most[0]:,.0f}",
                f"{most_floor[0]:,.0f}",
                times(ratio[0]),
                ">= 1,000",
            ),
            (f"latency p50 at {rate:,}/s (ms)", f"{o[1]:.1f}", f"{f[1]:.1f}", times(ratio[1]), ""),
            (
                f"latency p99 at {rate:,}/s (ms)",
                f"{o[2]:.1f}",
                f"{f[2]:.1f}",
                times(ratio[2]),
                "<= 20",
            ),
            (f"answered at {rate:,}/s", f"{o[0]:,.0f}/s", f"{f[0]:,.0f}/s", "", ""),
            ("errors", str(errors), "", "", "0"),
        ],
        {
            "matches_per_s": round(most[0]),
            "p50_ms": round(o[1], 2),
            "p99_ms": round(o[2], 2),
            "floor_per_s": round(most_floor[0]),
            "floor_p50_ms": round(f[1], 2),
            "floor_p99_ms": round(f[2], 2),
            "matches_per_s_vs_floor": ratio[0],
            "p50_ms_vs_floor": ratio[1],
            "p99_ms_vs_floor": ratio[2],
            "latency_rate_per_s": rate,
            "closed_loop_p50_ms": round(most[1], 2),
            "closed_loop_p99_ms": round(most[2], 2),
            "capacity_updates_per_s": round(updates.per_second, 1),
            "capacity_update_failures": updates.failed,
            "practices": practices,
            "errors": errors,
        },
    )
