"""`warmlink invariant`: ask the follow-up service which patients nobody is watching.

Calls `GET /v1/invariant` with an admin development token and prints a readable report: one line
per violation (ids and codes only). The exit status is the verdict: 0 none, 1 violations, 2 the
check could not run.
"""

from __future__ import annotations

from typing import Any

import httpx

OK, VIOLATIONS, UNREACHABLE = 0, 1, 2

# What each breach code means, for a reader of the report.
MEANING = {
    "referral_unwatched": "open referral: no live clock, no open task, no terminal reason",
    "screen_unwatched": "positive screen: not referred or closed, no live clock, no open task",
    "urgent_screen_unassessed": "urgent screen: no safety assessment past its deadline",
}


def fetch_report(url: str, token: str, timeout: float = 30.0) -> dict[str, Any]:
    """The endpoint's JSON report; raises httpx.HTTPError when it cannot be had."""
    response = httpx.get(
        url.rstrip("/") + "/v1/invariant",
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )
    response.raise_for_status()
    report: dict[str, Any] = response.json()
    return report


def render(report: dict[str, Any]) -> list[str]:
    """The report as lines: a headline, then each violation."""
    count = report["count"]
    head = (
        f"invariant at {report['checked_at']}: {count} violation{'s' if count != 1 else ''} "
        f"({report['open_referrals']} open referrals, {report['screens_checked']} screens checked)"
    )
    lines = [head]
    for v in report["violations"]:
        urgent = " urgent" if v["urgent"] else ""
        lines.append(
            f"  {v['subject']} {v['id']} site {v['site_id']} ({v['status']}{urgent}): "
            f"{v['breach']} - {MEANING.get(v['breach'], v['breach'])}"
        )
    return lines


def exit_code(report: dict[str, Any]) -> int:
    return OK if report["count"] == 0 else VIOLATIONS
