"""A latency run's rate comes from the run, never a constant, and figures go beside their floor."""

from __future__ import annotations

import asyncio
import itertools
import math
import time

from tools.bench.portal import met
from tools.bench.report import (
    LATENCY_LOAD,
    latency_rate,
    paced_from_schedule,
    times,
    vs_floor,
)


def test_the_latency_rate_is_half_the_least_capacity_measured() -> None:
    # The machine that moved 18,327 events/s: its no-op floor answered 1,088/s at most, so a
    # fixed 1,000/s measured a queue. Derived, both latencies are taken well below saturation.
    assert LATENCY_LOAD == 0.5
    assert latency_rate(1088, 300) == 150
    assert latency_rate(6268, 1735) == 867
    assert latency_rate(0.4) == 1  # never zero: a run always sends something


def test_a_figure_beside_its_floor_is_a_ratio() -> None:
    assert vs_floor(1735, 6268) == 0.277
    assert vs_floor(12.6, 4.9) == 2.571
    assert math.isnan(vs_floor(5, 0))
    assert times(2.571) == "2.57x" and times(float("nan")) == ""


def test_a_paced_request_is_timed_from_when_it_was_due_not_when_the_generator_got_to_it() -> None:
    # The first send holds the generator's loop, as a descheduled process would: the requests
    # behind it run late, but each is still handed the time it was due, on the fixed grid.
    due: list[float] = []

    async def send(scheduled: float) -> None:
        if not due:
            time.sleep(0.05)  # noqa: ASYNC251 -- blocking the loop is the point
        due.append(scheduled)

    assert asyncio.run(paced_from_schedule(100, 1, send)) == 100
    steps = [b - a for a, b in itertools.pairwise(due)]
    assert len(due) == 100 and all(math.isclose(s, 0.01, abs_tol=1e-9) for s in steps)


def test_a_page_meets_the_target_under_50_ms_and_within_5x_the_floor() -> None:
    assert met(49.0, 10.0)
    assert not met(49.0, 9.0)  # more than 5x the floor
    assert not met(51.0, 20.0)  # over 50 ms
