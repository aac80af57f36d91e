"""`make bench-tracing`: what tracing costs a request that writes and publishes an event.

The screening service runs as in production (its own process) on embedded PostgreSQL (fsync on)
and the embedded broker, three times: tracing off, spans exported over OTLP, and OTLP with the
asyncpg and aiokafka instrumentations. The request is a positive screen (POST /v1/screenings:
its row, an outbox row, and the relay's publish); the floor is an authenticated no-op
(`/v1/whoami`) on the same server in the same configuration. Spans go to an OTLP/HTTP sink in
this process that answers 200 and keeps nothing (a collector's cost is not the service's).

Each configuration: the most answered a second (closed loop), then latency and CPU at one arrival
rate, the same for all three (half the lesser closed-loop figure of the first: `latency_rate`).
CPU per request is the service process's own, read from /proc (`tools.bench.cpu`).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import orjson

from tools.bench import cpu
from tools.bench.loadgen import LoadResult, Post, load, load_at_rate
from tools.bench.report import latency_rate, percentile, print_report, times, vs_floor
from tools.dev.post_server import serve_posts, stop_serving
from tools.dev.processes import free_port
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token

SITE = "riverside-ob"
FLOOR = ["/v1/whoami"]
SERVICE = "screening service"  # its role in tools.bench.cpu
# Instrumentations are on by default when they add at most this share of the service's CPU per
# request over OTLP alone (docs/observability.md).
CHEAP = 0.10


def configurations(sink: str) -> dict[str, dict[str, str]]:
    otlp = {"OTEL_EXPORTER": "otlp", "OTLP_ENDPOINT": sink, "OTEL_INSTRUMENT": "false"}
    return {
        "off": {"OTEL_EXPORTER": "none"},
        "otlp": otlp,
        "otlp+instr": otlp | {"OTEL_INSTRUMENT": "true"},
    }


def screen_post(run: str, part: str = "") -> Post:
    body = {
        "instrument": "PHQ-9",
        "answers": [2, 2, 2, 2, 1, 1, 0, 0, 0],
        "patient_ref": "bench-{n}",
        "setting": "ob",
        "screened_at": datetime.now(UTC).isoformat(),
    }
    return Post("/v1/screenings", orjson.dumps(body).decode(), run=run + part)


@dataclass(frozen=True)
class Measured:
    most: LoadResult
    floor_most: LoadResult
    at_rate: LoadResult
    floor_at_rate: LoadResult
    cpu: cpu.Phase  # of the screens at the rate

    @property
    def service_ms(self) -> float:
        return self.cpu.ms_per_request.get(SERVICE, 0.0)


class Bench:
    def __init__(self, stack: DevStack, seconds: int, connections: int) -> None:
        self.stack, self.seconds, self.connections = stack, seconds, connections
        self.port = stack.ports["screening"]
        self.token = issue_token(
            stack.signing_key.read_bytes(), organization_id=SITE, role=Role.CLINIC
        )

    @contextmanager
    def serving(self, env: dict[str, str]) -> Iterator[None]:
        self.stack.start_service("screening", {"LOG_LEVEL": "WARNING"} | env)
        try:
            self.stack.wait_ready("screening")
            yield
        finally:
            self.stack.stop_service("screening")

    def most(self, name: str) -> tuple[LoadResult, LoadResult]:
        """The most screens and no-ops answered a second (closed loop), after a warm-up."""
        print(f"{name}: warming up (3 s), then most answered, {self.connections} connections")
        post = partial(screen_post, name.replace("+", "-"))  # patient_ref: letters, digits, -
        load(self.port, [], self.token, 3, self.connections, post=post("-warm-"))
        floor = load(self.port, FLOOR, self.token, self.seconds, self.connections)
        return load(self.port, [], self.token, self.seconds, self.connections, post("-")), floor

    def at_rate(self, name: str, rate: int) -> tuple[LoadResult, LoadResult, cpu.Phase]:
        """Screens and no-ops at `rate` (open loop), with the CPU the screens took."""
        print(f"{name}: latency and CPU at {rate:,}/s, open loop, {self.seconds}s each")
        post = screen_post(name.replace("+", "-") + "-r-")
        cpu.wait_until_idle()
        floor = load_at_rate(self.port, FLOOR, self.token, rate, self.seconds)
        cpu.wait_until_idle()
        before = cpu.read()
        screens = load_at_rate(self.port, [], self.token, rate, self.seconds, post=post)
        return screens, floor, cpu.phase(before, cpu.read(), screens.requests, screens.cpu_s)


def run(seconds: int, connections: int, rate: int | None) -> None:
    """Closed loops of every configuration first, so the latency runs' one rate is half the
    least any of them sustained (none is measured in its queue); then the latency runs."""
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-tracing-"))
    stack = DevStack(
        state, pg_port=free_port(), kafka_port=free_port(), ports={"screening": free_port()}
    )
    sink_port = free_port()
    sink = serve_posts(sink_port, lambda _path, _headers, _body: (200, {}))
    print(f"starting PostgreSQL (fsync on), broker and an OTLP sink in {state} ...")
    stack.start_infra()
    found: dict[str, Measured] = {}
    try:
        bench = Bench(stack, seconds, connections)
        configs = configurations(f"http://127.0.0.1:{sink_port}")
        most: dict[str, tuple[LoadResult, LoadResult]] = {}
        for name, env in configs.items():
            with bench.serving(env):
                most[name] = bench.most(name)
        rate = rate or latency_rate(*(r.per_second for pair in most.values() for r in pair))
        for name, env in configs.items():
            with bench.serving(env):
                screens, floor, phase = bench.at_rate(name, rate)
                found[name] = Measured(*most[name], screens, floor, phase)
    finally:
        stack.stop()
        stop_serving(sink)
    report(found, rate)
    if any(_errors(m) for m in found.values()):
        print(f"\nrequests failed: the services' logs are kept in {state / 'logs'}")
    else:
        shutil.rmtree(state, ignore_errors=True)


def _errors(m: Measured) -> int:
    return sum(r.errors for r in (m.most, m.floor_most, m.at_rate, m.floor_at_rate))


def report(found: dict[str, Measured], rate: int) -> None:
    rows: list[tuple[str, str, str, str, str]] = []
    figures: dict[str, float] = {"latency_rate_per_s": rate}
    for name, m in found.items():
        p99, floor_p99 = (
            percentile(m.at_rate.latencies_ms, 99),
            percentile(m.floor_at_rate.latencies_ms, 99),
        )
        rows += [
            (
                f"{name}: screens/s (closed loop)",
                f"{m.most.per_second:,.0f}",
                f"{m.floor_most.per_second:,.0f}",
                times(vs_floor(m.most.per_second, m.floor_most.per_second)),
                "",
            ),
            (
                f"{name}: p99 at {rate:,}/s (ms)",
                f"{p99:.1f}",
                f"{floor_p99:.1f}",
                times(vs_floor(p99, floor_p99)),
                "",
            ),
            (f"{name}: service CPU/request (ms)", f"{m.service_ms:.2f}", "", "", ""),
            (f"{name}: all CPU/request (ms)", f"{m.cpu.ms_per_request['total']:.2f}", "", "", ""),
        ]
        errors = _errors(m)
        figures |= {
            f"{name}_screens_per_s": round(m.most.per_second),
            f"{name}_floor_per_s": round(m.floor_most.per_second),
            f"{name}_p99_ms": round(p99, 2),
            f"{name}_floor_p99_ms": round(floor_p99, 2),
            f"{name}_service_cpu_ms": m.service_ms,
            f"{name}_total_cpu_ms": m.cpu.ms_per_request["total"],
            f"{name}_errors": errors,
        }
    print_report("bench-tracing (POST /v1/screenings; floor: GET /v1/whoami)", rows, figures)
    cpu.print_table({name: m.cpu for name, m in found.items()})
    if "otlp" in found and "otlp+instr" in found:
        extra = vs_floor(found["otlp+instr"].service_ms, found["otlp"].service_ms) - 1
        verdict = "cheap" if extra <= CHEAP else "not cheap"
        print(
            f"\ninstrumentations add {extra:+.1%} of the service's CPU per request over OTLP "
            f"alone: {verdict} (threshold {CHEAP:.0%})"
        )
