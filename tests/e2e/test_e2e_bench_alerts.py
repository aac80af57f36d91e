"""`make bench-alerts` keeps working: a small run prints the table and the JSON line.

The figures of a two-second run on a shared box mean little; that the command starts the stack
and the sink, alerts for every referral it submitted, loses none and reports the floor beside
the figure does.
"""

from __future__ import annotations

import json

from tests.support.bench import run_bench

SMALL = ["--seconds", "2", "--rate", "5"]


def test_a_small_alerts_benchmark_reports_every_figure() -> None:
    run = run_bench("alerts", SMALL, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["referrals"] == 10 and figures["rate_per_s"] == 5
    assert figures["errors"] == 0 and figures["lost_alerts"] == 0 and figures["floor_lost"] == 0
    assert 0 < figures["alerts_p50_ms"] <= figures["alerts_p99_ms"] <= figures["alerts_max_ms"]
    assert figures["floor_send_p99_ms"] > 0 and figures["alerts_p99_vs_floor"] > 0
    assert "status change -> sink p99 (ms)" in run.stdout
