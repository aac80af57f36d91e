"""A small HTTP/1.1 load generator (keep-alive, raw asyncio streams), closed or open loop.

Hand-written because a Python HTTP client costs more CPU per request than the server under test
on a 2-core box; this one parses only the status line and Content-Length. It runs in its own
process and reports latencies in milliseconds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tools.bench.loop_client import read_message
from tools.bench.report import paced_from_schedule


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    cpu_s: float = 0.0  # the load generator's own CPU (user + system) over the run

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Post:
    """A POST whose JSON body and Idempotency-Key carry a unique `{n}` per request; `run` starts
    every `n`, so that two runs against one service never replay each other's keys."""

    path: str
    body_template: str
    run: str = ""


def _http_request(
    method: str, path: str, token: str, body: bytes = b"", headers: str = ""
) -> bytes:
    """One HTTP/1.1 request with a bearer token; a body is sent as JSON."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + headers + "\r\n").encode() + body


def _request(token: str, paths: list[str], post: Post | None, n: str, rng: random.Random) -> bytes:
    if post is None:  # a path may carry header lines of its own after a newline (a cookie)
        target, _, extra = rng.choice(paths).partition("\n")
        return _http_request("GET", target, token, headers=extra + "\r\n" if extra else "")
    n = post.run + n
    body = post.body_template.replace("{n}", n).encode()
    return _http_request("POST", post.path, token, body, f"Idempotency-Key: bench-{n}\r\n")


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """Send one request on a keep-alive connection and read its response; the status code."""
    writer.write(request)
    head, _ = await read_message(reader)
    return int(head[9:12])


def _succeeded(status: int) -> bool:
    return status in (200, 201)


async def _worker(
    port: int,
    paths: list[str],
    token: str,
    deadline: float,
    found: dict[str, Any],
    post: Post | None,
    worker: int,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    sequence = 0
    try:
        while time.perf_counter() < deadline:
            sequence += 1
            request = _request(token, paths, post, f"{worker}-{sequence}", rng)
            started = time.perf_counter()
            ok = _succeeded(await _exchange(reader, writer, request))
            found["latencies"].append((time.perf_counter() - started) * 1000)
            found["errors"] += not ok
    finally:
        writer.close()


async def _run(
    ports: list[int],
    paths: list[str],
    token: str,
    seconds: float,
    connections: int,
    post: Post | None,
) -> LoadResult:
    found: dict[str, Any] = {"latencies": [], "errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *[
            _worker(ports[i % len(ports)], paths, token, deadline, found, post, i)
            for i in range(connections)
        ]
    )
    latencies: list[float] = found["latencies"]
    return LoadResult(len(latencies), found["errors"], time.perf_counter() - started, latencies)


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    recent_ms: float = 0.0  # moving average of its latencies


async def _paced(
    port: int,
    paths: list[str],
    token: str,
    rate: int,
    seconds: int,
    connections: int,
    post: Post | None = None,
) -> LoadResult:
    """Open loop: requests start on a fixed schedule, whatever the answers before them.

    Latency runs from when a request was due, so time spent waiting for a free connection, or
    for this process to get a core, counts (no coordinated omission: neither a slow server nor
    a late generator slows the arrivals down or hides the wait). Each request takes
    the better of two random idle connections by recent latency, as client-side balancers do
    (power of two choices): the server's workers each accept their own share of connections
    and nothing else steers requests away from a busier one.
    """
    idle = [
        _Connection(*await asyncio.open_connection("127.0.0.1", port)) for _ in range(connections)
    ]
    free = asyncio.Semaphore(connections)
    rng = random.Random()
    found: dict[str, Any] = {"latencies": [], "errors": 0}
    sequence = iter(range(1, rate * seconds + 1))

    async def one(started: float) -> None:
        async with free:
            pair = rng.sample(range(len(idle)), min(2, len(idle)))
            conn = idle.pop(min(pair, key=lambda i: idle[i].recent_ms))
            sent = time.perf_counter()
            request = _request(token, paths, post, f"paced-{next(sequence)}", rng)
            try:
                ok = _succeeded(await _exchange(conn.reader, conn.writer, request))
            except (asyncio.IncompleteReadError, ConnectionError):
                # The server closed a keep-alive connection left idle (uvicorn: after 5 s), as
                # servers may: open it again and ask again, the time it took counted.
                conn.writer.close()
                conn.reader, conn.writer = await asyncio.open_connection("127.0.0.1", port)
                ok = _succeeded(await _exchange(conn.reader, conn.writer, request))
            conn.recent_ms = 0.8 * conn.recent_ms + 0.2 * (time.perf_counter() - sent) * 1000
            idle.append(conn)
        found["latencies"].append((time.perf_counter() - started) * 1000)
        found["errors"] += not ok

    started = time.perf_counter()
    await paced_from_schedule(rate, seconds, one)
    for conn in idle:
        conn.writer.close()
    latencies: list[float] = found["latencies"]
    return LoadResult(len(latencies), found["errors"], time.perf_counter() - started, latencies)


def _measured(run: Coroutine[Any, Any, LoadResult]) -> LoadResult:
    """The run's result with the CPU it took: this process exits before the caller could read
    it from /proc."""
    started = time.process_time()
    result = asyncio.run(run)
    return replace(result, cpu_s=time.process_time() - started)


def _child(args: tuple[Any, ...], pipe: Any) -> None:
    pipe.send(_measured(_run(*args)))


def _paced_child(args: tuple[Any, ...], pipe: Any) -> None:
    pipe.send(_measured(_paced(*args)))


def _in_process(target: Any, args: tuple[Any, ...]) -> LoadResult:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(args, child))
    process.start()
    result: LoadResult = parent.recv()
    process.join()
    return result


def load(
    port: int | Sequence[int],
    paths: list[str],
    token: str,
    seconds: float,
    connections: int,
    post: Post | None = None,
) -> LoadResult:
    """Closed loop in a separate process for `seconds`: each connection sends its next request
    when the last is answered, so this finds the most the server answers. Blocks until done.

    Several ports (replicas of one server) get the connections in turn, as a client-side
    balancer deals them: an even share each, whatever the kernel would have done."""
    ports = [port] if isinstance(port, int) else list(port)
    return _in_process(_child, (ports, paths, token, seconds, connections, post))


def load_at_rate(
    port: int,
    paths: list[str],
    token: str,
    rate: int,
    seconds: int,
    connections: int = 32,
    post: Post | None = None,
) -> LoadResult:
    """Open loop at `rate` requests/s in a separate process (GETs of `paths`, or `post`);
    blocks until done."""
    return _in_process(_paced_child, (port, paths, token, rate, seconds, connections, post))
