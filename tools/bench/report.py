"""Percentiles and the printed report shared by the benchmarks."""

from __future__ import annotations

import asyncio
import json
import platform
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def print_report(
    title: str, rows: list[tuple[str, str, str, str]], figures: dict[str, Any]
) -> None:
    print(f"\n{title}  ({platform.node()}, {platform.processor() or platform.machine()})")
    print(f"{'measure':<34} {'warmlink':>12} {'floor':>12} {'target':>14}")
    for name, ours, floor, target in rows:
        print(f"{name:<34} {ours:>12} {floor:>12} {target:>14}")
    print(json.dumps(figures, sort_keys=True))


def summary(events_per_s: float, latencies_ms: Sequence[float]) -> dict[str, float]:
    return {
        "events_per_s": events_per_s,
        "p50_ms": percentile(latencies_ms, 50),
        "p99_ms": percentile(latencies_ms, 99),
    }


async def paced(rate: int, seconds: int, send: Callable[[], Awaitable[None]]) -> int:
    """Call `send()` `rate` times a second for `seconds`, on a fixed schedule."""
    total, interval, started = rate * seconds, 1.0 / rate, time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    for i in range(total):
        delay = started + i * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task: asyncio.Task[None] = asyncio.ensure_future(send())
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return total
