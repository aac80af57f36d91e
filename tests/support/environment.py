"""Settings built from arguments only, not from the shell that runs the tests."""

from __future__ import annotations

import os

import pytest

SERVICE_PREFIXES = ("SCREENING_", "DIRECTORY_", "REFERRAL_", "FOLLOWUP_", "PORTAL_", "WARMLINK_")


@pytest.fixture
def no_service_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every service's variables unset for the test (use with `pytest.mark.usefixtures`)."""
    for name in [n for n in os.environ if n.startswith(SERVICE_PREFIXES)]:
        monkeypatch.delenv(name)
