"""`make bench-directory` keeps working: a small run prints the table and the JSON line.

The figures of a one-second run on a shared CI box mean nothing; that the command runs end to
end, answers every request and reports every key the issue names does.
"""

from __future__ import annotations

import json

from tests.support.bench import run_bench

SMALL = ["--practices", "300", "--seconds", "1", "--updates", "10"]  # the rate: derived


def test_a_small_directory_benchmark_reports_every_figure() -> None:
    run = run_bench("directory", SMALL, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert {"matches_per_s", "p50_ms", "p99_ms", "floor_per_s"} <= figures.keys()
    assert figures["errors"] == 0 and figures["capacity_update_failures"] == 0
    assert figures["matches_per_s"] > 0 and figures["floor_per_s"] > 0
    assert "most requests/s (closed loop)" in run.stdout
    # Every figure beside its floor as a ratio, and the latency runs at half the lesser of the
    # two closed-loop figures of this run, never a fixed rate.
    assert figures["matches_per_s_vs_floor"] > 0
    assert figures["p50_ms_vs_floor"] > 0 and figures["p99_ms_vs_floor"] > 0
    least = min(figures["matches_per_s"], figures["floor_per_s"])
    assert 0 < figures["latency_rate_per_s"] <= least * 0.5 + 1
    assert "vs floor" in run.stdout
