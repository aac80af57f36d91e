"""`make bench-loop` keeps working: a small run prints the table and the JSON line.

The figures of a two-second run on a shared CI box mean nothing; that the command starts the
replicas, the floor and the webhook subscriber, answers every request, loses no notification and
reports every key the issue names does.
"""

from __future__ import annotations

import json

from tests.support.bench import run_bench

SMALL = ["--seconds", "2", "--rate", "10", "--connections", "4"]


def test_a_small_loop_benchmark_reports_every_figure() -> None:
    run = run_bench("loop", SMALL, timeout=240)
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    keys = {"propagation_p50_ms", "propagation_p99_ms", "submit_per_s", "floor_insert_per_s"}
    assert keys <= figures.keys()
    assert figures["errors"] == 0 and figures["lost_notifications"] == 0
    assert figures["referrals"] == 20  # every referral of the paced run reached the subscriber
    assert figures["submit_per_s"] > 0 and figures["floor_insert_per_s"] > 0
    assert figures["replicas"] == 2
    assert "submissions/s vs one-INSERT floor" in run.stdout
    assert figures["submit_per_s_vs_floor"] > 0
    assert figures["submit_per_s_no_subscriber_vs_floor"] > 0
    assert figures["rate_per_s"] == 10  # given: otherwise derived from the submissions
    # Where each phase's CPU went: the floor's to the floor server, the submissions' to the
    # referral service and PostgreSQL, and with the site subscribed to webhook delivery too.
    spent = figures["cpu_ms_per_request"]
    assert spent["floor"]["floor server"] > 0 and spent["floor"]["PostgreSQL"] > 0
    for phase in ("no subscriber", "subscribed"):
        assert spent[phase]["referral service"] > 0 and spent[phase]["PostgreSQL"] > 0
        assert spent[phase]["total"] > spent["floor"]["total"]
    assert spent["subscribed"]["webhook delivery"] > 0
    assert "CPU per request (ms), by process" in run.stdout
