"""Runs `warmlink bench NAME` as a person would, for the end-to-end benchmark tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WARMLINK = str(Path(sys.executable).parent / "warmlink")


def run_bench(name: str, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARMLINK, "bench", name, *args], capture_output=True, text=True, timeout=timeout
    )
