"""Percentiles, the latency runs' rate and the printed report shared by the benchmarks.

Machines differ by more than any target's margin, so every figure is printed beside its floor
(measured in the same run, on the same machine) as a ratio; absolute figures are context. And no
latency run uses a fixed rate: a rate past what the machine sustains measures a queue, not the
service (on one machine a fixed 1,000/s was past even the no-op floor's 1,088/s at most).
"""

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


# A latency run offers this share of the capacity measured in the same run: well below
# saturation on any machine, so the figure is the path's latency rather than its queue's.
LATENCY_LOAD = 0.5


def latency_rate(*capacities_per_s: float, share: float = LATENCY_LOAD) -> int:
    """Arrivals a second for a latency run: `share` of the least that the floor and the system
    under test sustained in this run, so that neither is measured in its queue."""
    return max(1, int(min(capacities_per_s) * share))


def vs_floor(ours: float, floor: float) -> float:
    """Ours over the floor's, the figure that carries from one machine to another."""
    return round(ours / floor, 3) if floor else float("nan")


def times(ratio: float) -> str:
    return f"{ratio:,.2f}x" if ratio == ratio else ""  # NaN: no floor to compare with


def print_report(
    title: str, rows: list[tuple[str, str, str, str, str]], figures: dict[str, Any]
) -> None:
    """`rows`: measure, ours, floor, ours / floor, target."""
    print(f"\n{title}  ({platform.node()}, {platform.processor() or platform.machine()})")
    print(f"{'measure':<38} {'warmlink':>12} {'floor':>12} {'vs floor':>9} {'target':>16}")
    for name, ours, floor, ratio, target in rows:
        print(f"{name:<38} {ours:>12} {floor:>12} {ratio:>9} {target:>16}")
    print(json.dumps(figures, sort_keys=True))


def summary(events_per_s: float, latencies_ms: Sequence[float]) -> dict[str, float]:
    return {
        "events_per_s": events_per_s,
        "p50_ms": percentile(latencies_ms, 50),
        "p99_ms": percentile(latencies_ms, 99),
    }


async def paced(rate: int, seconds: int, send: Callable[[], Awaitable[None]]) -> int:
    """Call `send()` `rate` times a second for `seconds`, on a fixed schedule."""
    return await paced_from_schedule(rate, seconds, lambda _scheduled: send())


async def paced_from_schedule(
    rate: int, seconds: int, send: Callable[[float], Awaitable[None]]
) -> int:
    """Call `send(scheduled)` `rate` times a second for `seconds`, on a fixed schedule;
    `scheduled` is when the call was due (perf_counter). A latency timed from it counts the
    generator's own lateness too: on a busy machine this process may run a request tens of
    milliseconds after it was due, and timing from when it ran would leave that wait out
    (coordinated omission in the generator itself)."""
    total, interval, started = rate * seconds, 1.0 / rate, time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    for i in range(total):
        due = started + i * interval
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task: asyncio.Task[None] = asyncio.ensure_future(send(due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    return total
