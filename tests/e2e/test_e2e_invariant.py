"""The invariant over the real network: zero while every screen is watched or settled; a screen
whose clocks were all stopped while it is still open, and an urgent screen left unassessed past
its deadline, are reported by `GET /v1/invariant` and by `warmlink invariant` (exit status 1).

Urgent screens have seconds of business hours here (coordinators around the clock), so the
deadline passes while the test waits on the report, never on a fixed sleep.
"""

from __future__ import annotations

from typing import Any

import httpx
from typer.testing import CliRunner

from tests.e2e.conftest import Network
from tests.e2e.screen_support import (  # noqa: F401 - the fixtures
    SITE,
    screen,
    screen_clients,
    short_clock_network,
)
from tests.support.waiting import eventually
from tools.cli.main import app
from warmlink.auth import Role

CLOCKS = "SELECT fired_at FROM clocks WHERE screening_id = $1::uuid"


async def watched_screen(
    net: Network, c: dict[str, httpx.AsyncClient], ref: str, *, urgent: bool
) -> str:
    """A positive PHQ-9 on its site's worklist, its clocks armed by the follow-up service."""
    sid = await screen(net, c, ref, urgent=urgent)
    await eventually(
        lambda: net.query("followup", CLOCKS, sid), until=lambda r: len(r) == 2, what="clocks"
    )
    return sid


async def report(net: Network, c: dict[str, httpx.AsyncClient]) -> dict[str, Any]:
    answer = await c["followup"].get("/v1/invariant", headers=net.auth("network-admin", Role.ADMIN))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def breaches(body: dict[str, Any], sid: str) -> list[str]:
    return [v["breach"] for v in body["violations"] if v["id"] == sid]


def cli(net: Network) -> Any:
    args = ["invariant", "--followup-url", net.url("followup")]
    return CliRunner().invoke(app, [*args, "--state-dir", str(net.stack.state_dir)])


async def test_only_admins_may_check(net: Network, clients: dict[str, httpx.AsyncClient]) -> None:
    refused = await clients["followup"].get("/v1/invariant", headers=net.auth(SITE))
    assert refused.status_code == 403


async def test_a_watched_and_a_settled_screen_report_zero(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    await watched_screen(net, clients, "inv-watched", urgent=False)  # its clocks are live
    sid = await watched_screen(net, clients, "inv-settled", urgent=True)
    headers = net.auth(SITE)
    assessed = await clients["referral"].post(
        f"/v1/worklist/{sid}/safety-assessment",
        json={"outcome": "no_current_risk"},
        headers=headers,
    )
    assert assessed.status_code == 201, assessed.text
    closed = await clients["referral"].post(
        f"/v1/worklist/{sid}/close", json={"reason": "already_in_care"}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    body = await eventually(
        lambda: report(net, clients), until=lambda b: b["count"] == 0, what="a clean network"
    )
    assert body["violations"] == [] and body["screens_checked"] >= 1
    result = cli(net)
    assert result.exit_code == 0, result.output
    assert ": 0 violations" in result.output


async def test_an_open_screen_whose_clocks_all_stopped_is_reported(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    sid = await watched_screen(net, clients, "inv-dropped", urgent=False)
    # The fault the invariant exists for: every clock stopped, the screen still open, no task.
    await net.query(
        "followup", "UPDATE clocks SET fired_at = now() WHERE screening_id = $1::uuid", sid
    )
    body = await report(net, clients)
    assert breaches(body, sid) == ["screen_unwatched"]
    [found] = [v for v in body["violations"] if v["id"] == sid]
    assert found == {
        "subject": "screen",
        "id": sid,
        "site_id": SITE,
        "breach": "screen_unwatched",
        "status": "open",
        "urgent": False,
    }
    result = cli(net)
    assert result.exit_code == 1, result.output
    assert f"screen {sid} site {SITE} (open): screen_unwatched" in result.output


async def test_an_urgent_screen_unassessed_past_its_deadline_is_reported(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    sid = await watched_screen(net, clients, "inv-unassessed", urgent=True)
    body = await eventually(
        lambda: report(net, clients),
        until=lambda b: "urgent_screen_unassessed" in breaches(b, sid),
        what="the deadline to pass",
    )
    # Escalated, so watched by its tasks: only the missing assessment breaks the rule.
    assert breaches(body, sid) == ["urgent_screen_unassessed"]
    assessed = await clients["referral"].post(
        f"/v1/worklist/{sid}/safety-assessment",
        json={"outcome": "crisis_line_contacted"},
        headers=net.auth(SITE),
    )
    assert assessed.status_code == 201, assessed.text
    await eventually(
        lambda: report(net, clients),
        until=lambda b: breaches(b, sid) == [],
        what="the assessment to clear it",
    )
