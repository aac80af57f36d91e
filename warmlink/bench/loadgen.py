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


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def _worker(
    port: int, paths: list[str], token: str, deadline: float, out: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    rng = random.Random()
    try:
        while time.perf_counter() < deadline:
            path = rng.choice(paths)
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            out.append((time.perf_counter() - started) * 1000)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(1)
    finally:
        writer.close()


async def _run(
    port: int, paths: list[str], token: str, seconds: float, connections: int
) -> LoadResult:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *[_worker(port, paths, token, deadline, latencies, errors) for _ in range(connections)]
    )
    return LoadResult(len(latencies), len(errors), time.perf_counter() - started, latencies)


def _child(
    port: int, paths: list[str], token: str, seconds: float, connections: int, pipe: object
) -> None:
    result = asyncio.run(_run(port, paths, token, seconds, connections))
    pipe.send(result)  # type: ignore[attr-defined]


def load(port: int, paths: list[str], token: str, seconds: float, connections: int) -> LoadResult:
    """Run the generator in a separate process for `seconds`; blocks until it reports."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_child, args=(port, paths, token, seconds, connections, child))
    process.start()
    result: LoadResult = parent.recv()
    process.join()
    return result
