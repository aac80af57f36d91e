"""A latency run's rate comes from the run, never a constant, and figures go beside their floor."""

from __future__ import annotations

import math

from tools.bench.report import LATENCY_LOAD, latency_rate, times, vs_floor


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
