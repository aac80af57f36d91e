"""`make bench-flood`: a valid client of the screening service, alone and under an anonymous flood.

On the embedded stack (the directory, whose JWKS the screening service fetches, and screening):
a valid client posts positive screens at a fixed rate, first alone (the floor, measured in the
same run), then while another process floods the service:
- `--forged` clients send screens with forged tokens as fast as they are answered, half naming a
  key id nobody published, half signed by a key nobody knows;
- `--oversized` clients send `--body-mb` bodies without a token, half with Content-Length, half
  streamed in chunks.
Reported: the valid client's p50 and p99 alone and under the flood, what the forged and the
oversized requests were answered, and whether the relay kept publishing meanwhile (the oldest
unpublished outbox row's age, read from `/metrics` twice a second).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families

from tools.bench.report import paced, percentile, print_report, times, vs_floor
from tools.dev.processes import free_port
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import ensure_key_pair, issue_token

SITE = "riverside-ob"
CHUNK = 64 * 1024
# The relay kept publishing when no committed event waited longer than this during the flood.
RELAY_MAX_AGE_S = 5.0
P99_TARGET_MS = 1000.0


def screen_body() -> bytes:
    return orjson.dumps(
        {
            "instrument": "PHQ-9",
            "answers": [2, 2, 2, 2, 1, 1, 0, 0, 0],  # positive: one outbox event each
            "patient_ref": f"bench-{uuid.uuid4().hex[:12]}",
            "setting": "ob",
            "screened_at": datetime.now(UTC).isoformat(),
        }
    )


def forged_tokens(state: Path, count: int) -> list[str]:
    forger, _ = ensure_key_pair(state / "forger")
    key = forger.read_bytes()
    return [
        issue_token(key, organization_id=SITE, role=Role.ADMIN, kid=f"forged-{uuid.uuid4().hex}")
        if n % 2
        else issue_token(key, organization_id=SITE, role=Role.ADMIN)  # kid "dev", wrong key
        for n in range(count)
    ]


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


Answered = dict[str, dict[str, int]]  # kind of request -> status (or error) -> count


async def _flood(
    url: str, tokens: list[str], oversized: int, body_mb: int, seconds: int
) -> Answered:
    deadline = time.monotonic() + seconds
    answered: dict[str, Counter[str]] = {k: Counter() for k in ("forged", "declared", "chunked")}
    big = b"x" * (body_mb * 1024 * 1024)
    json = {"Content-Type": "application/json"}

    async def forger(client: httpx.AsyncClient, token: str) -> None:
        headers = json | {"Authorization": f"Bearer {token}"}
        while time.monotonic() < deadline:
            try:
                response = await client.post(
                    "/v1/screenings", content=screen_body(), headers=headers
                )
                answered["forged"][str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                answered["forged"][type(exc).__name__] += 1

    async def stuffer(client: httpx.AsyncClient, chunked: bool) -> None:
        kind = "chunked" if chunked else "declared"
        while time.monotonic() < deadline:
            content = _chunks(big) if chunked else big
            try:
                response = await client.post("/v1/screenings", content=content, headers=json)
                answered[kind][str(response.status_code)] += 1
            except httpx.HTTPError as exc:
                answered[kind][type(exc).__name__] += 1

    limits = httpx.Limits(max_connections=len(tokens) + oversized)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(
            *(forger(client, t) for t in tokens),
            *(stuffer(client, chunked=bool(n % 2)) for n in range(oversized)),
        )
    return {kind: dict(counts) for kind, counts in answered.items()}


def _flood_process(args: tuple[str, list[str], int, int, int], pipe: Pipe) -> None:
    pipe.send("flooding")  # imports done: the valid client's run starts now
    pipe.send(asyncio.run(_flood(*args)))


class Valid:
    """The valid client: positive screens at a fixed rate, each one's latency and status."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.latencies_ms: list[float] = []
        self.failed = 0

    async def send(self) -> None:
        started = time.perf_counter()
        try:
            response = await self.client.post(
                "/v1/screenings", content=screen_body(), headers=self.headers
            )
            ok = response.status_code == 201
        except httpx.HTTPError:
            ok = False
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        self.failed += not ok

    async def run(self, rate: int, seconds: int) -> dict[str, float]:
        self.latencies_ms, self.failed = [], 0
        sent = await paced(rate, seconds, self.send)
        return {
            "requests": sent,
            "failed": self.failed,
            "p50_ms": round(percentile(self.latencies_ms, 50), 1),
            "p99_ms": round(percentile(self.latencies_ms, 99), 1),
        }


async def _outbox(client: httpx.AsyncClient, admin: str) -> tuple[float, float]:
    """The oldest unpublished outbox row's age (s) and how many rows wait; NaN when `/metrics`
    does not answer (a stalled service)."""
    try:
        response = await client.get("/metrics", headers={"Authorization": f"Bearer {admin}"})
        response.raise_for_status()
    except httpx.HTTPError:
        return float("nan"), float("nan")
    text = response.text
    values = {
        s.name: s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
        if not s.labels
    }
    return (
        values.get("warmlink_outbox_oldest_unpublished_age_seconds", float("nan")),
        values.get("warmlink_outbox_unpublished", float("nan")),
    )


async def _watch_outbox(client: httpx.AsyncClient, admin: str, until: asyncio.Event) -> float:
    oldest = 0.0
    while not until.is_set():
        age = (await _outbox(client, admin))[0]
        oldest = max(oldest, age) if age == age else float("inf")  # unanswered: unknown, failed
        await asyncio.sleep(0.5)
    return oldest


async def _caught_up(client: httpx.AsyncClient, admin: str, within_s: float = 30) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if (await _outbox(client, admin))[1] == 0:
            return True
        await asyncio.sleep(0.2)
    return False


async def _measure(
    stack: DevStack, rate: int, seconds: int, flood_args: tuple[str, list[str], int, int, int]
) -> dict[str, Any]:
    key = stack.signing_key.read_bytes()
    valid = issue_token(key, organization_id=SITE, role=Role.CLINIC)
    admin = issue_token(key, organization_id="network-admin", role=Role.ADMIN)
    url = flood_args[0]
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        client_ = Valid(client, valid)
        await client_.run(min(rate, 10), 1)  # warm-up
        alone = await client_.run(rate, seconds)
        receiving, sending = multiprocessing.get_context("spawn").Pipe(duplex=False)
        flood = multiprocessing.get_context("spawn").Process(
            target=_flood_process, args=(flood_args, sending)
        )
        flood.start()
        assert await asyncio.to_thread(receiving.recv) == "flooding"
        done = asyncio.Event()
        watcher = asyncio.create_task(_watch_outbox(client, admin, done))
        under = await client_.run(rate, seconds)
        answered = await asyncio.to_thread(receiving.recv)
        flood.join()
        done.set()
        oldest_s = await watcher
        caught_up = await _caught_up(client, admin)
    return {
        "alone": alone,
        "under": under,
        "answered": answered,
        "relay_max_age_s": round(oldest_s, 2),
        "relay_caught_up": caught_up,
    }


def run(rate: int, seconds: int, forged: int, oversized: int, body_mb: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-flood-"))
    ports = {"directory": free_port(), "screening": free_port()}
    stack = DevStack(state, pg_port=free_port(), kafka_port=free_port(), ports=ports)
    stack.common_env = {"LOG_LEVEL": "WARNING"}
    print(f"starting PostgreSQL (fsync on), broker, directory and screening in {state} ...")
    stack.start_infra()
    try:
        for name in ports:
            stack.start_service(name)
        for name in ports:
            stack.wait_ready(name)
        url = f"http://127.0.0.1:{ports['screening']}"
        print(
            f"valid client: {rate} positive screens/s for {seconds}s, alone, then beside "
            f"{forged} forged-token clients and {oversized} clients sending {body_mb} MB bodies"
        )
        # The flood outlasts the valid client's run by a second, so it covers the run's tail.
        flood_args = (url, forged_tokens(state, forged), oversized, body_mb, seconds + 1)
        figures = asyncio.run(_measure(stack, rate, seconds, flood_args))
    finally:
        stack.stop()
    shutil.rmtree(state, ignore_errors=True)  # kept only when the run failed
    report(rate, seconds, forged, oversized, body_mb, figures)


def report(
    rate: int, seconds: int, forged: int, oversized: int, body_mb: int, m: dict[str, Any]
) -> None:
    alone, under, answered = m["alone"], m["under"], m["answered"]

    def statuses(kind: str) -> str:
        return ", ".join(f"{k}: {v}" for k, v in sorted(answered[kind].items()))

    figures = {
        "rate_per_s": rate,
        "seconds": seconds,
        "forged_clients": forged,
        "oversized_clients": oversized,
        "body_mb": body_mb,
        "valid_p50_ms_alone": alone["p50_ms"],
        "valid_p99_ms_alone": alone["p99_ms"],
        "valid_p50_ms_flood": under["p50_ms"],
        "valid_p99_ms_flood": under["p99_ms"],
        "valid_p99_flood_vs_alone": vs_floor(under["p99_ms"], alone["p99_ms"]),
        "valid_failed": alone["failed"] + under["failed"],
        "forged_requests": sum(answered["forged"].values()),
        "forged_statuses": answered["forged"],
        "oversized_requests": sum(answered["declared"].values()),
        "oversized_statuses": answered["declared"],
        "oversized_chunked_requests": sum(answered["chunked"].values()),
        "oversized_chunked_statuses": answered["chunked"],
        "relay_max_age_s": m["relay_max_age_s"],
        "relay_kept_publishing": m["relay_caught_up"] and m["relay_max_age_s"] <= RELAY_MAX_AGE_S,
    }
    ratio = times(figures["valid_p99_flood_vs_alone"])
    age = f"{m['relay_max_age_s']:,.2f}"
    rows = [
        ("valid client p50 (ms)", f"{under['p50_ms']:,.1f}", f"{alone['p50_ms']:,.1f}", "", ""),
        (
            "valid client p99 (ms)",
            f"{under['p99_ms']:,.1f}",
            f"{alone['p99_ms']:,.1f}",
            ratio,
            "< 1,000",
        ),
        ("valid client failures", str(under["failed"]), str(alone["failed"]), "", "0"),
        ("forged-token answers", statuses("forged"), "", "", "401 only"),
        (f"{body_mb} MB bodies, Content-Length", statuses("declared"), "", "", "413 only"),
        (f"{body_mb} MB bodies, chunked", statuses("chunked"), "", "", "401/413"),
        ("oldest unpublished event (s)", age, "", "", f"<= {RELAY_MAX_AGE_S:g}"),
    ]
    print_report("bench-flood: under the flood (warmlink) vs alone (floor)", rows, figures)
