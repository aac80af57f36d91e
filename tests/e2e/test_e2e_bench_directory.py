"""`make bench-directory` keeps working: a small run prints the table and the JSON line.

The figures of a one-second run on a shared CI box mean nothing; that the command runs end to
end, answers every request and reports every key the issue names does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

WARMLINK = str(Path(sys.executable).parent / "warmlink")
SMALL = ["--practices", "300", "--seconds", "1", "--rate", "100", "--updates", "10"]


def test_a_small_directory_benchmark_reports_every_figure() -> None:
    run = subprocess.run(
        [WARMLINK, "bench", "directory", *SMALL],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert {"matches_per_s", "p50_ms", "p99_ms", "floor_per_s"} <= figures.keys()
    assert figures["errors"] == 0 and figures["capacity_update_failures"] == 0
    assert figures["matches_per_s"] > 0 and figures["floor_per_s"] > 0
    assert "most requests/s (closed loop)" in run.stdout
