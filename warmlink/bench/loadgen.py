"""A small closed-loop HTTP/1.1 load generator (keep-alive, raw asyncio streams).

Hand-written because a Python HTTP client costs more CPU per request than the server under test
on a 2-core box; this one parses only the status line and Content-Length. It runs in its own
process and reports latencies in milliseconds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Post:
    """A POST whose JSON body and Idempotency-Key carry a unique `{n}` per request."""

    path: str
    body_template: str


def _request(token: str, paths: list[str], post: Post | None, n: str, rng: random.Random) -> bytes:
    auth = f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
    if post is None:
        return f"GET {rng.choice(paths)} HTTP/1.1\r\n{auth}\r\n".encode()
    body = post.body_template.replace("{n}", n).encode()
    head = (
        f"POST {post.path} HTTP/1.1\r\n{auth}Idempotency-Key: bench-{n}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


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
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            found["latencies"].append((time.perf_counter() - started) * 1000)
            if not (head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.1 201")):
                found["errors"] += 1
    finally:
        writer.close()


async def _run(
    port: int, paths: list[str], token: str, seconds: float, connections: int, post: Post | None
) -> LoadResult:
    found: dict[str, Any] = {"latencies": [], "errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *[_worker(port, paths, token, deadline, found, post, i) for i in range(connections)]
    )
    latencies: list[float] = found["latencies"]
    return LoadResult(len(latencies), found["errors"], time.perf_counter() - started, latencies)


def _child(args: tuple[Any, ...], pipe: Any) -> None:
    pipe.send(asyncio.run(_run(*args)))


def load(
    port: int,
    paths: list[str],
    token: str,
    seconds: float,
    connections: int,
    post: Post | None = None,
) -> LoadResult:
    """Run the generator in a separate process for `seconds`; blocks until it reports."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    args = (port, paths, token, seconds, connections, post)
    process = ctx.Process(target=_child, args=(args, child))
    process.start()
    result: LoadResult = parent.recv()
    process.join()
    return result
