"""Real Chromium for the browser tests: Debian's /usr/bin/chromium through Playwright (no browser
download), headless, nothing phoning home; and an axe-core scan (axe-playwright-python ships
axe.min.js, injected from the package: nothing is fetched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# STACK-NOTES "Browser tests": headless, no sandbox (root), nothing phoning home.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SERIOUS = {"serious", "critical"}


def require_chromium() -> None:
    if not CHROMIUM.exists():
        # Fail, never skip: a missing browser must not pass as a green run.
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium) first",
            pytrace=False,
        )


def launch(pw: Any) -> Any:
    """A headless Debian chromium from a `sync_playwright()` handle."""
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
