"""Every positive screen is accounted for, over the broker, across three services.

Screening publishes the screen; the referral service's worklist closes it or records its safety
assessment; the follow-up service's scheduler escalates one nobody accounted for. The clocks run
on the network's configuration, not the test's sleep: coordinators work around the clock (so the
wall clock's weekday and hour do not matter) and an urgent screen has seconds of them.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import Network
from tests.e2e.screen_support import (  # noqa: F401 - the fixtures
    SITE,
    item,
    screen,
    screen_clients,
    short_clock_network,
)
from tests.support.waiting import eventually
from warmlink.auth import Role


async def screen_tasks(
    net: Network, c: dict[str, httpx.AsyncClient], sid: str, role: Role
) -> list[dict[str, Any]]:
    org = SITE if role is Role.CLINIC else "network-admin"
    listed = await c["followup"].get(
        "/v1/tasks", params={"status": "all"}, headers=net.auth(org, role)
    )
    assert listed.status_code == 200, listed.text
    return [t for t in listed.json()["items"] if t["screening_id"] == sid]


async def test_an_unreferred_urgent_screen_escalates_to_the_site_then_the_network(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    sid = await screen(net, clients, "acct-escalates", urgent=True)

    site_tasks = await eventually(
        lambda: screen_tasks(net, clients, sid, Role.CLINIC), until=bool, what="site task"
    )
    assert site_tasks[0]["status"] == "open"
    assert [(t["kind"], t["assignee"], t["urgent"]) for t in site_tasks] == [
        ("unreferred_screen", "site_coordinator", True)
    ]
    assert "safety assessment" in site_tasks[0]["what_to_do"]
    network_tasks = await eventually(
        lambda: screen_tasks(net, clients, sid, Role.ADMIN), until=bool, what="network task"
    )
    assert [(t["assignee"], t["site_id"]) for t in network_tasks] == [("network_coordinator", SITE)]
    # A screen's task is settled by referring or closing the screen, not completed.
    completed = await clients["followup"].post(
        f"/v1/tasks/{site_tasks[0]['id']}/complete",
        json={"outcome": "scheduled"},
        headers=net.auth(SITE),
    )
    assert completed.status_code == 409, completed.text

    shown = await eventually(
        lambda: item(net, clients, sid),
        until=lambda r: r.json()["escalation"] == "network_coordinator",
        what="the worklist shows the network escalation",
    )
    timeline = [(e["action"], e["reason"]) for e in shown.json()["timeline"]]
    assert timeline == [
        ("escalated", "site_coordinator"),
        ("escalated", "network_coordinator"),
    ]
    events = await net.query(
        "followup",
        "SELECT event_type FROM outbox WHERE key = $1 ORDER BY id",
        sid,
    )
    assert [e["event_type"] for e in events] == ["PositiveScreenEscalated"] * 2

    # Accounted for at last: assessed, closed, and both tasks are settled.
    headers = net.auth(SITE)
    url = f"/v1/worklist/{sid}"
    assessed = await clients["referral"].post(
        f"{url}/safety-assessment", json={"outcome": "crisis_line_contacted"}, headers=headers
    )
    assert assessed.status_code == 201, assessed.text
    closed = await clients["referral"].post(
        f"{url}/close", json={"reason": "seen_in_emergency_department"}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    await eventually(
        lambda: screen_tasks(net, clients, sid, Role.ADMIN),
        until=lambda tasks: [t["status"] for t in tasks] == ["resolved"],
        what="the network's task resolved by the closure",
    )
    settled = await screen_tasks(net, clients, sid, Role.CLINIC)
    assert [(t["status"], t["closed_by"]) for t in settled] == [
        ("resolved", "PositiveScreenClosed")
    ]


async def test_a_coded_closure_stops_the_clock(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    sid = await screen(net, clients, "acct-closed", urgent=False)
    clocks_sql = "SELECT kind, fired_at, note FROM clocks WHERE screening_id = $1::uuid"
    armed = await eventually(
        lambda: net.query("followup", clocks_sql, sid), until=lambda rows: len(rows) == 2
    )
    assert all(r["fired_at"] is None for r in armed)  # a routine screen has business hours

    closed = await clients["referral"].post(
        f"/v1/worklist/{sid}/close",
        json={"reason": "other", "note": "Followed by her own psychiatrist since March."},
        headers=net.auth(SITE),
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["closure_reason"]) == ("closed", "other")

    stopped = await eventually(
        lambda: net.query("followup", clocks_sql, sid),
        until=lambda rows: all(r["fired_at"] is not None for r in rows),
        what="the screen's clocks stopped",
    )
    assert {r["note"] for r in stopped} == {"stopped: screen closed"}
    assert await screen_tasks(net, clients, sid, Role.CLINIC) == []

    # The note is the site's, sealed at rest, never in the event; reading it back is audited.
    shown = (await item(net, clients, sid)).json()
    assert shown["closure_note"] == "Followed by her own psychiatrist since March."
    assert [(e["action"], e["reason"]) for e in shown["timeline"]] == [("closed", "other")]
    sealed = await net.query(
        "referral",
        "SELECT closure_note_sealed FROM worklist_items WHERE screening_id = $1::uuid",
        sid,
    )
    assert b"psychiatrist" not in bytes(sealed[0]["closure_note_sealed"])
    events = await net.query(
        "referral", "SELECT event_type, payload FROM outbox WHERE key = $1", sid
    )
    assert [e["event_type"] for e in events] == ["PositiveScreenClosed"]
    assert b"psychiatrist" not in bytes(events[0]["payload"])
    audited = await net.query(
        "referral",
        "SELECT action FROM audit_log WHERE record_type = 'worklist_closure_note' "
        "AND record_id = $1 ORDER BY id",
        sid,
    )
    assert [a["action"] for a in audited] == ["write", "read"]
    listed = await clients["referral"].get(
        "/v1/worklist", params={"status": "closed"}, headers=net.auth(SITE)
    )
    assert sid in [i["screening_id"] for i in listed.json()["items"]]
    open_list = await clients["referral"].get("/v1/worklist", headers=net.auth(SITE))
    assert sid not in [i["screening_id"] for i in open_list.json()["items"]]


async def test_a_closure_needs_a_code_and_an_urgent_one_its_safety_assessment(
    net: Network, clients: dict[str, httpx.AsyncClient]
) -> None:
    sid = await screen(net, clients, "acct-urgent-close", urgent=True)
    referral, headers = clients["referral"], net.auth(SITE)
    url = f"/v1/worklist/{sid}"

    no_code = await referral.post(f"{url}/close", json={}, headers=headers)
    assert no_code.status_code == 422
    assert no_code.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in no_code.json()["errors"]] == ["#/reason"]
    no_note = await referral.post(f"{url}/close", json={"reason": "other"}, headers=headers)
    assert no_note.status_code == 422
    assert [e["pointer"] for e in no_note.json()["errors"]] == ["#/note"]

    unassessed = await referral.post(
        f"{url}/close", json={"reason": "already_in_care"}, headers=headers
    )
    assert unassessed.status_code == 409, unassessed.text
    assert unassessed.json()["missing"] == "safety_assessment"
    assert "safety assessment" in unassessed.json()["detail"]

    other_site = await referral.post(
        f"{url}/safety-assessment",
        json={"outcome": "no_current_risk"},
        headers=net.auth("another-site"),
    )
    assert other_site.status_code == 404
    assessed = await referral.post(
        f"{url}/safety-assessment", json={"outcome": "no_current_risk"}, headers=headers
    )
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["safety_outcome"] == "no_current_risk"
    closed = await referral.post(
        f"{url}/close", json={"reason": "already_in_care"}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["status"], body["closure_reason"], body["safety_outcome"]) == (
        "closed",
        "already_in_care",
        "no_current_risk",
    )
    again = await referral.post(f"{url}/close", json={"reason": "already_in_care"}, headers=headers)
    assert again.status_code == 200
    otherwise = await referral.post(f"{url}/close", json={"reason": "transferred"}, headers=headers)
    assert otherwise.status_code == 409 and otherwise.json()["current_status"] == "closed"

    events = await net.query(
        "referral", "SELECT event_type FROM outbox WHERE key = $1 ORDER BY id", sid
    )
    assert [e["event_type"] for e in events] == ["SafetyAssessmentRecorded", "PositiveScreenClosed"]
    screen_row = await eventually(
        lambda: net.query(
            "followup",
            "SELECT status, safety_outcome FROM screen_tracks WHERE screening_id = $1::uuid",
            sid,
        ),
        until=lambda rows: rows and rows[0]["status"] == "closed",
        what="the follow-up service saw the closure",
    )
    assert screen_row[0]["safety_outcome"] == "no_current_risk"
