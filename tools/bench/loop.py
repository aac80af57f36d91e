"""`make bench-loop`: referrals through submit, acknowledge, schedule and attend, with a webhook
subscriber, on the embedded stack (fsync on).

1. Floor: a bare FastAPI endpoint doing one INSERT (`insert_floor`), same server stack.
2. Submission throughput: POST /v1/referrals (unique Idempotency-Key each) for a fixed time,
   first before any subscriber, then with the referring site's webhook subscriber registered
   (the reported figure: every submission then also numbers and delivers a notification).
3. Propagation at a rate of referrals/s derived in the run (half of what the subscribed
   submissions sustained per replica, a referral being four such requests; `--rate` overrides):
   from the practice's acknowledge answered to the referring site's webhook received (Standard
   Webhooks delivery through the outbox of subscription notifications), then schedule and
   attend, and their notifications too.

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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from subprocess import Popen
from typing import Any

import httpx
import orjson
import uvloop

from tools.bench import cpu
from tools.bench.loadgen import LoadResult, Post, load
from tools.bench.loop_client import LoopClient
from tools.bench.loop_report import Throughputs, report
from tools.bench.loop_stack import REFERRAL_ENV, REPLICAS, start_floor, start_referral_replicas
from tools.bench.report import latency_rate
from tools.bench.webhook_receiver import Receiver
from tools.dev.processes import free_port, spawn, stop
from tools.dev.seed import seed_region
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token

SITE, PRACTICE, SERVICE = "riverside-ob", "lantern-telehealth", "lantern-telehealth-therapy"
# Submit, acknowledge, schedule, attend: requests of about a subscribed submission's cost each.
REQUESTS_PER_REFERRAL = 4


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
                # An hour ago: attendance is recorded once the appointment's time has come.
                "appointment_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
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
    rate: int | None,
    tokens: dict[str, str],
) -> tuple[LoadResult, cpu.Phase, int, dict[str, list[float]], int]:
    """The referring site's webhook subscriber registered, as in a network where sites follow
    their referrals: submissions at full speed, then (their notifications delivered)
    propagation at `rate`, or at half what the submissions sustained on the one replica it
    uses. Returns the submissions, their CPU (until their notifications were delivered), how
    many of those notifications never arrived, the propagation figures and its rate."""
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
        per_replica = submits.per_second / REPLICAS / REQUESTS_PER_REFERRAL
        rate = rate or latency_rate(per_replica)
        print(
            f"propagation: {rate} referrals/s for {load_s}s (submit, acknowledge, schedule, "
            "attend), webhook subscriber on the referring site"
        )
        port = stack.ports["referral"]
        await _propagation(port, receiver, min(rate, 10), 2, tokens)  # warm-up
        prop = await _propagation(port, receiver, rate, load_s, tokens)
        return submits, spent, missing, prop, rate
    finally:
        await receiver.stop()


def run(rate: int | None, seconds: int, connections: int) -> None:
    """`rate` None: the propagation run's rate is derived from this run's submissions."""
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
        replicas = start_referral_replicas(stack)
        procs += [proc for _, proc in replicas]
        referral_ports = [ports["referral"]] + [port for port, _ in replicas]
        webhooks = spawn(  # after the service's migrations
            [sys.executable, "-m", "services.referral.subscriptions.entrypoints.delivery_process"],
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
        floors = start_floor(stack)
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
        submits, submit_cpu, missing, prop, rate = uvloop.run(
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
    phases = {"floor": floor_cpu, "no subscriber": bare_cpu, "subscribed": submit_cpu}
    report(rate, prop, missing, Throughputs(floor, bare, submits), phases)
