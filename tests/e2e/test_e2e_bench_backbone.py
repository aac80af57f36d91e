"""`make bench-backbone` keeps working: a small run prints the table and the JSON line.

The figures of a short run on a shared CI box mean nothing; that the command runs end to end,
derives its latency rate from what it measured and reports every figure beside its floor does.
"""

from __future__ import annotations

import json

from tests.support.bench import run_bench

SMALL = ["--events", "2000", "--seconds", "1"]


def test_a_small_backbone_benchmark_reports_every_figure_beside_its_floor() -> None:
    run = run_bench("backbone", SMALL, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["events_per_s"] > 0 and figures["floor_events_per_s"] > 0
    assert figures["events_per_s_vs_floor"] > 0
    assert figures["p50_ms_vs_floor"] > 0 and figures["p99_ms_vs_floor"] > 0
    # Half the least of the floor's throughput and ours at one event per transaction.
    least = min(figures["floor_events_per_s"], figures["single_tx_events_per_s"])
    assert 0 < figures["rate_per_s"] <= least * 0.5 + 1
    # The floor's latency is of its own latency run's records: seconds would mean it read the
    # throughput run's again (a consumer that rejoins its group starts from the earliest offset).
    assert figures["floor_p99_ms"] < 5000
    assert "vs floor" in run.stdout
