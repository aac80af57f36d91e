"""`make bench-loop`: referrals through submit, acknowledge, schedule and attend, with a webhook
subscriber, on the embedded stack (fsync on).

1. Floor: a bare FastAPI endpoint doing one INSERT (`insert_floor`), same server stack.
2. Submission throughput: POST /v1/referrals (unique Idempotency-Key each) for a fixed time,
   first before any subscriber, then with the referring site's webhook subscriber registered
   (the reported figure: every submission then also numbers and delivers a notification).
3. Propagation at a fixed rate of referrals/s: from the practice's acknowledge answered to the
   referring site's webhook received (Standard Webhooks delivery through the outbox of
   subscription notifications), then schedule and attend, and their notifications too.

Each throughput phase also reports its CPU per request by process (`cpu.py`): both the floor and
the submissions keep the two cores busy, so their ratio is, near enough, the inverse ratio of
what a request costs, and the table says where a submission's cost goes. A submission phase is
billed until its effects are done (the relay, the directory's consumer, the webhook deliveries).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
import orjson
import uvloop

from tools.bench import cpu
from tools.bench.loadgen import LoadResult, Post, load
from tools.bench.loop_client import LoopClient
from tools.bench.report import percentile, print_report
from tools.bench.webhook_receiver import Receiver
from tools.dev.processes import free_port, port_open, spawn, stop, wait_until
from tools.dev.seed import seed_region
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token

SITE, PRACTICE, SERVICE = "riverside-ob", "lantern-telehealth", "lantern-telehealth-therapy"
# The referral service as deployed on two cores: two replicas of one HTTP worker each, and
# webhook delivery in a process of its own (`services.referral.webhooks`). The floor gets as many
# processes. Replicas with ports of their own, not uvicorn's workers on one socket: a worker
# accepts every connection waiting when it wakes, so a closed-loop run's few connections often
# all landed on one worker (py-spy showed the other idle) and the figures followed the luck of
# the draw, for the floor as for the referral service.
REPLICAS = 2
REFERRAL_ENV = {"WEBHOOK_DELIVERY": "separate"}


def referral_body(n: str) -> dict[str, Any]:
    return {
        "practice_id": PRACTICE,
        "service_id": SERVICE,
        "patient_ref": f"bench-{n}",
        "setting": "ob",
        "method": "digital",
        "urgency": "routine",
        "referrer_id": "dr-bench",
        "patient": {"given_name": "Bench", "family_name": "Patient", "phone": "312-555-0100"},
        "consent": {"given": True},
    }


async def _one_referral(
    client: LoopClient,
    receiver: Receiver,
    n: int,
    site: dict[str, str],
    practice: dict[str, str],
    out: dict[str, list[float]],
    run_id: str,
) -> None:
    status_code, created = await client.post(
        "/v1/referrals",
        orjson.dumps(referral_body(f"loop-{run_id}-{n}")),
        site | {"Idempotency-Key": f"loop-{run_id}-{n}"},
    )
    if status_code != 201:
        out["errors"].append(1)
        return
    rid = orjson.loads(created)["id"]
    steps = [
        ("acknowledge", None, "acknowledged"),
        (
            "schedule",
            {
                "appointment_at": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
                "modality": "telehealth",
            },
            "scheduled",
        ),
        ("attended", None, "attended"),
    ]
    for step, payload, status in steps:
        body = orjson.dumps(payload) if payload is not None else b""
        status_code, _ = await client.post(f"/v1/intake/{rid}/{step}", body, practice)
        answered_at = time.perf_counter()
        if status_code != 200:
            out["errors"].append(1)
            return
        arrived = await receiver.arrival((rid, status), within_s=30)
        if arrived is None:
            out["lost"].append(1)
            return
        out[status].append(max(0.0, (arrived - answered_at) * 1000))


def _count_failure(task: asyncio.Task[None], out: dict[str, list[float]]) -> None:
    """A request that failed in transport is an error in the report, not the end of the run."""
    if not task.cancelled() and task.exception() is not None:
        out["errors"].append(1)


async def _propagation(
    referral_port: int, receiver: Receiver, rate: int, seconds: int, tokens: dict[str, str]
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        "acknowledged": [],
        "scheduled": [],
        "attended": [],
        "errors": [],
        "lost": [],
    }
    site = {"Authorization": f"Bearer {tokens['site']}"}
    practice = {"Authorization": f"Bearer {tokens['practice']}"}
    run_id = uuid.uuid4().hex[:8]  # warm-up and measured runs never share an Idempotency-Key
    client = LoopClient(referral_port)
    try:
        tasks = []
        started = time.perf_counter()
        for n in range(rate * seconds):
            delay = started + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(
                asyncio.create_task(_one_referral(client, receiver, n, site, practice, out, run_id))
            )
            tasks[-1].add_done_callback(lambda t: _count_failure(t, out))
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        client.close()
    return out


async def _subscribe(referral_url: str, token: str, receiver_port: int) -> None:
    async with httpx.AsyncClient(base_url=referral_url, timeout=10) as client:
        response = await client.post(
            "/v1/subscriptions",
            json={"url": f"http://127.0.0.1:{receiver_port}/hook"},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()


async def _delivered(receiver: Receiver, expected: int, within_s: float) -> int:
    """Wait until the subscriber holds `expected` `submitted` notifications (or `within_s`
    passed), printing progress; returns how many arrived."""
    deadline = time.perf_counter() + within_s
    arrived = 0
    while time.perf_counter() < deadline:
        arrived = sum(1 for _, status in receiver.arrivals if status == "submitted")
        if arrived >= expected:
            break
        print(f"  ... {arrived:,} of {expected:,} `submitted` notifications delivered")
        await asyncio.sleep(2)
    return arrived


async def _with_subscriber(
    stack: DevStack,
    referral_ports: list[int],
    submit: Post,
    load_s: int,
    connections: int,
    rate: int,
    tokens: dict[str, str],
) -> tuple[LoadResult, cpu.Phase, int, dict[str, list[float]]]:
    """The referring site's webhook subscriber registered, as in a network where sites follow
    their referrals: submissions at full speed, then (their notifications delivered)
    propagation at `rate`. Returns the submissions, their CPU (until their notifications were
    delivered), how many of those notifications never arrived, and the propagation figures."""
    receiver, receiver_port = Receiver(), free_port()
    await receiver.start(receiver_port)
    try:
        url = f"http://127.0.0.1:{stack.ports['referral']}"
        await _subscribe(url, tokens["site"], receiver_port)
        print(f"submissions, referring site subscribed: {connections} connections, {load_s}s")
        before = cpu.read()
        submits = await asyncio.to_thread(
            load, referral_ports, [], tokens["site"], load_s, connections, submit
        )
        accepted = submits.requests - submits.errors
        missing = accepted - await _delivered(receiver, accepted, within_s=120)
        spent = cpu.phase(before, cpu.read(), submits.requests, submits.cpu_s)
        print(
            f"propagation: {rate} referrals/s for {load_s}s (submit, acknowledge, schedule, "
            "attend), webhook subscriber on the referring site"
        )
        port = stack.ports["referral"]
        await _propagation(port, receiver, min(rate, 10), 2, tokens)  # warm-up
        return submits, spent, missing, await _propagation(port, receiver, rate, load_s, tokens)
    finally:
        await receiver.stop()


def _start_on_fresh_ports(
    count: int,
    argv: Callable[[int], list[str]],
    stack: DevStack,
    name: str,
    env: Callable[[int], dict[str, str]] | None = None,
) -> list[tuple[int, Popen[bytes]]]:
    """`count` processes, each serving on a port of its own, started one after another: each
    applies migrations or creates its table first, and two at once can trip over PostgreSQL's
    catalog."""
    started: list[tuple[int, Popen[bytes]]] = []
    for n in range(count):
        port = free_port()
        proc = spawn(
            argv(port),
            log_path=stack.logs / f"{name}-{n}.log",
            env=env(port) if env is not None else None,
        )
        started.append((port, proc))
        wait_until(partial(port_open, port), timeout=60, what=f"{name} {n}", proc=proc)
    return started


def _start_referral_replicas(stack: DevStack) -> list[tuple[int, Popen[bytes]]]:
    """The stack's referral service is the first replica; the others get ports of their own."""
    stack.wait_ready("referral")
    return _start_on_fresh_ports(
        REPLICAS - 1,
        lambda _: [sys.executable, "-m", "services.referral"],
        stack,
        "referral",
        lambda port: stack.service_env("referral", REFERRAL_ENV | {"HTTP_PORT": str(port)}),
    )


def _start_floor(stack: DevStack) -> list[tuple[int, Popen[bytes]]]:
    """As many one-worker floor processes as referral replicas."""
    assert stack.postgres is not None
    stack.postgres.ensure_databases(["bench_floor"])
    dsn = stack.postgres.url("bench_floor")
    return _start_on_fresh_ports(
        REPLICAS,
        lambda port: [sys.executable, "-m", "tools.bench.insert_floor", str(port), dsn],
        stack,
        "floor",
    )


def run(rate: int, seconds: int, connections: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-loop-"))
    ports = {"directory": free_port(), "referral": free_port()}
    stack = DevStack(state, pg_port=free_port(), kafka_port=free_port(), ports=ports)
    stack.common_env = {"LOG_LEVEL": "WARNING", "WEBHOOK_ALLOW_PRIVATE": "true"}
    print(f"starting PostgreSQL (fsync on), broker, directory and referral in {state} ...")
    stack.start_infra()
    procs: list[Popen[bytes]] = []  # stopped before the stack
    try:
        for name in ports:
            stack.start_service(name, REFERRAL_ENV if name == "referral" else None)
        stack.wait_ready("directory")
        replicas = _start_referral_replicas(stack)
        procs += [proc for _, proc in replicas]
        referral_ports = [ports["referral"]] + [port for port, _ in replicas]
        webhooks = spawn(  # after the service's migrations
            [sys.executable, "-m", "services.referral.webhooks"],
            log_path=stack.logs / "referral-webhooks.log",
            env=stack.service_env("referral", REFERRAL_ENV),
        )
        procs.append(webhooks)
        seed_region(f"http://127.0.0.1:{ports['directory']}", stack.signing_key)
        key = stack.signing_key.read_bytes()
        tokens = {
            "site": issue_token(key, organization_id=SITE, role=Role.CLINIC),
            "practice": issue_token(key, organization_id=PRACTICE, role=Role.PRACTICE),
        }
        floors = _start_floor(stack)
        procs += [proc for _, proc in floors]
        template = orjson.dumps(referral_body("{n}")).decode()
        print(
            f"referral: {REPLICAS} replicas of 1 HTTP worker + 1 webhook delivery process; "
            f"floor: {REPLICAS} processes of 1 HTTP worker; each run deals its connections "
            "evenly over the replicas"
        )
        print(f"floor: POST /insert (one INSERT), {connections} connections, {seconds}s")
        floor_ports = [port for port, _ in floors]
        before = cpu.read()
        floor = load(floor_ports, [], "x", seconds, connections, Post("/insert", template))
        floor_cpu = cpu.phase(before, cpu.read(), floor.requests, floor.cpu_s)
        cpu.wait_until_idle()
        print(f"submissions, no subscriber yet: {connections} connections, {seconds}s")
        before = cpu.read()
        bare = load(
            referral_ports,
            [],
            tokens["site"],
            seconds,
            connections,
            Post("/v1/referrals", template, run="bare-"),
        )
        cpu.wait_until_idle()  # the relay and the directory's consumer catching up count too
        bare_cpu = cpu.phase(before, cpu.read(), bare.requests, bare.cpu_s)
        # uvloop, as the services use: the client and the receiver share these two cores too.
        submits, submit_cpu, missing, prop = uvloop.run(
            _with_subscriber(
                stack,
                referral_ports,
                Post("/v1/referrals", template, run="subscribed-"),
                seconds,
                connections,
                rate,
                tokens,
            )
        )
    finally:
        for proc in procs:
            stop(proc)
        stack.stop()
    shutil.rmtree(state, ignore_errors=True)  # kept only when the run failed
    ack = prop["acknowledged"]
    errors = len(prop["errors"]) + submits.errors + bare.errors + floor.errors
    lost = len(prop["lost"]) + missing
    phases = {"floor": floor_cpu, "no subscriber": bare_cpu, "subscribed": submit_cpu}
    cpu.print_table(phases)
    print_report(
        "bench-loop",
        [
            ("propagation p50 (ms), acknowledge", f"{percentile(ack, 50):.1f}", "", "<= 25"),
            ("propagation p99 (ms), acknowledge", f"{percentile(ack, 99):.1f}", "", "<= 100"),
            ("propagation p99 (ms), schedule", f"{percentile(prop['scheduled'], 99):.1f}", "", ""),
            ("propagation p99 (ms), attend", f"{percentile(prop['attended'], 99):.1f}", "", ""),
            (
                "submissions/s vs one-INSERT floor",
                f"{submits.per_second:,.0f}",
                f"{floor.per_second:,.0f}",
                ">= 50% of floor",
            ),
            ("  (the same, before the site subscribed)", f"{bare.per_second:,.0f}", "", ""),
            (
                "errors / lost notifications",
                f"{errors - floor.errors}/{lost}",
                str(floor.errors),
                "0",
            ),
        ],
        {
            "propagation_p50_ms": round(percentile(ack, 50), 2),
            "propagation_p99_ms": round(percentile(ack, 99), 2),
            "submit_per_s": round(submits.per_second),
            "floor_insert_per_s": round(floor.per_second),
            "submit_share_of_floor": round(submits.per_second / floor.per_second, 3),
            "submit_per_s_no_subscriber": round(bare.per_second),
            "submit_share_no_subscriber": round(bare.per_second / floor.per_second, 3),
            "referrals": len(ack),
            "rate_per_s": rate,
            "replicas": REPLICAS,
            "errors": errors,
            "lost_notifications": lost,
            "cpu_ms_per_request": {name: p.ms_per_request for name, p in phases.items()},
            "cores_busy": {name: p.cores_busy for name, p in phases.items()},
        },
    )
