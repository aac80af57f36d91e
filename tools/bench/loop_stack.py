"""The processes bench-loop starts beside the embedded stack: referral replicas with ports of
their own, and the one-INSERT floor's servers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from subprocess import Popen

from tools.dev.processes import free_port, port_open, spawn, wait_until
from tools.dev.stack import DevStack

# The referral service as deployed on two cores: two replicas of one HTTP worker each, and
# webhook delivery in a process of its own
# (`services.referral.subscriptions.entrypoints.delivery_process`). The floor gets as many
# processes. Replicas with ports of their own, not uvicorn's workers on one socket: a worker
# accepts every connection waiting when it wakes, so a closed-loop run's few connections often
# all landed on one worker (py-spy showed the other idle) and the figures followed the luck of
# the draw, for the floor as for the referral service.
REPLICAS = 2
REFERRAL_ENV = {"WEBHOOK_DELIVERY": "separate"}


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


def start_referral_replicas(stack: DevStack) -> list[tuple[int, Popen[bytes]]]:
    """The stack's referral service is the first replica; the others get ports of their own."""
    stack.wait_ready("referral")
    return _start_on_fresh_ports(
        REPLICAS - 1,
        lambda _: [sys.executable, "-m", "services.referral"],
        stack,
        "referral",
        lambda port: stack.service_env("referral", REFERRAL_ENV | {"HTTP_PORT": str(port)}),
    )


def start_floor(stack: DevStack) -> list[tuple[int, Popen[bytes]]]:
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
