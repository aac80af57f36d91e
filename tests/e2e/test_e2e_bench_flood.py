"""`make bench-flood` keeps working: a small run prints the table and the JSON line.

The figures of a two-second run on a shared CI box mean nothing; that the command starts the
stack, floods it, keeps the valid client served, and reports every key the issue names does.
"""

from __future__ import annotations

import json

from tests.support.bench import run_bench

SMALL = ["--seconds", "2", "--rate", "5", "--forged", "4", "--oversized", "2", "--body-mb", "2"]


def test_a_small_flood_benchmark_reports_every_figure() -> None:
    run = run_bench("flood", SMALL, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    keys = {
        "valid_p50_ms_alone",
        "valid_p99_ms_alone",
        "valid_p50_ms_flood",
        "valid_p99_ms_flood",
        "valid_p99_flood_vs_alone",
        "forged_statuses",
        "oversized_statuses",
        "oversized_chunked_statuses",
        "relay_max_age_s",
        "relay_kept_publishing",
    }
    assert keys <= figures.keys()
    assert figures["valid_failed"] == 0
    assert figures["forged_requests"] > 0 and set(figures["forged_statuses"]) == {"401"}
    assert figures["oversized_requests"] > 0 and set(figures["oversized_statuses"]) == {"413"}
    # A streamed body without a token is refused before it is read: 401, or 413 if counted.
    assert set(figures["oversized_chunked_statuses"]) <= {"401", "413"}
    assert figures["relay_kept_publishing"] is True
    assert "valid client p99 (ms)" in run.stdout
