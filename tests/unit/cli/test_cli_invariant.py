"""`warmlink invariant` prints the report readably and says the verdict in its exit status."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tools.cli.invariant import OK, VIOLATIONS, exit_code, render
from tools.cli.main import app
from warmlink.tokens import ensure_key_pair

REPORT = {
    "checked_at": "2026-11-24T16:00:00+00:00",
    "open_referrals": 3,
    "screens_checked": 2,
    "count": 1,
    "violations": [
        {
            "subject": "referral",
            "id": "r-1",
            "site_id": "riverside-ob",
            "breach": "referral_unwatched",
            "status": "acknowledged",
            "urgent": True,
        }
    ],
}


def test_each_violation_is_a_line_with_its_ids_code_and_meaning() -> None:
    head, line = render(REPORT)
    assert "1 violation " in head and "3 open referrals" in head
    assert "referral r-1 site riverside-ob (acknowledged urgent): referral_unwatched" in line
    assert "no live clock" in line
    assert exit_code(REPORT) == VIOLATIONS


def test_a_clean_network_exits_zero() -> None:
    clean = REPORT | {"count": 0, "violations": []}
    assert render(clean)[0].startswith("invariant at 2026-11-24T16:00:00+00:00: 0 violations")
    assert exit_code(clean) == OK


def test_an_unreachable_service_is_exit_status_2(tmp_path: Path) -> None:
    ensure_key_pair(tmp_path / "keys")
    args = ["invariant", "--followup-url", "http://127.0.0.1:9", "--state-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "cannot check the invariant" in result.output
