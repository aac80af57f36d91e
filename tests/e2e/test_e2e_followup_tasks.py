"""The coordinator's tasks across services: a decline and a no-show open re-engagement tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, submit
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory", "referral", "followup"])
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def clients(net: Network) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=net.url("referral")) as referral,
        httpx.AsyncClient(base_url=net.url("followup")) as followup,
    ):
        yield referral, followup


async def tasks_for(
    net: Network, followup: httpx.AsyncClient, referral_id: str
) -> list[dict[str, Any]]:
    response = await followup.get("/v1/tasks", headers=net.auth(SITE))
    assert response.status_code == 200, response.text
    return [t for t in response.json()["items"] if t["referral_id"] == referral_id]


async def wait_for_task(
    net: Network, followup: httpx.AsyncClient, referral_id: str
) -> dict[str, Any]:
    found = await eventually(
        lambda: tasks_for(net, followup, referral_id), until=bool, what="a coordinator task"
    )
    return found[0]


async def test_a_decline_opens_a_next_visit_task_the_coordinator_completes(
    net: Network, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    referral, followup = clients
    rid = (await submit(net, referral, "tasks-decline")).json()["id"]
    declined = await referral.post(
        f"/v1/intake/{rid}/decline",
        json={"reason": "no_capacity"},
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    assert declined.status_code == 200, declined.text

    task = await wait_for_task(net, followup, rid)
    assert (task["kind"], task["status"], task["practice_id"]) == (
        "next_visit_check",
        "open",
        PRACTICE,
    )
    assert "next visit" in task["what_to_do"]
    opened = datetime.fromisoformat(task["opened_at"])
    due = datetime.fromisoformat(task["due_at"])
    assert timedelta(days=2) <= due - opened <= timedelta(days=6)  # two business days

    url = f"/v1/tasks/{task['id']}/complete"
    no_barrier = await followup.post(url, json={"outcome": "not_scheduled"}, headers=net.auth(SITE))
    assert no_barrier.status_code == 422
    assert no_barrier.headers["content-type"].startswith("application/problem+json")
    assert no_barrier.json()["errors"][0]["pointer"] == "#/barrier"

    outcome = {
        "outcome": "not_scheduled",
        "barrier": "no_capacity",
        "re_engaged": True,
        "tried": ["re_referred", "called", "called"],
    }
    done = await followup.post(url, json=outcome, headers=net.auth(SITE))
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["barrier"]) == ("completed", "no_capacity")
    assert done.json()["tried"] == ["called", "re_referred"], "codes, each once"
    again = await followup.post(url, json=outcome, headers=net.auth(SITE))
    assert again.status_code == 200 and again.json() == done.json()
    other = await followup.post(url, json={"outcome": "attended"}, headers=net.auth(SITE))
    assert other.status_code == 409
    assert other.json()["current_status"] == "completed"

    rows = await net.query(
        "followup",
        "SELECT event_type, payload FROM outbox WHERE key = $1 ORDER BY id",
        rid,
    )
    types = [r["event_type"] for r in rows]
    assert types == ["FollowUpDue", "FollowUpCompleted"]
    completed = rows[1]["payload"]
    assert b'"task":"next_visit_check"' in completed and b'"re_engaged":true' in completed


async def test_a_no_show_opens_a_task_and_tasks_stay_with_their_site(
    net: Network, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    referral, followup = clients
    practice = net.auth(PRACTICE, Role.PRACTICE)
    rid = (await submit(net, referral, "tasks-no-show")).json()["id"]
    for step, payload in (
        ("acknowledge", None),
        (
            "schedule",
            {
                # An hour ago: a no-show is recorded once the appointment's time has come.
                "appointment_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
                "modality": "telehealth",
                "telehealth_instructions": "link sent by text",
            },
        ),
        ("missed", None),
    ):
        moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, (step, moved.text)

    task = await wait_for_task(net, followup, rid)
    assert task["kind"] == "next_visit_check"

    as_practice = await followup.get("/v1/tasks", headers=practice)
    assert as_practice.status_code == 403
    other_site = net.auth("prairie-falls-hospital")
    assert (await followup.get(f"/v1/tasks/{task['id']}", headers=other_site)).status_code == 404
    listed = await followup.get("/v1/tasks", headers=other_site)
    assert all(t["referral_id"] != rid for t in listed.json()["items"])
    stolen = await followup.post(
        f"/v1/tasks/{task['id']}/complete", json={"outcome": "attended"}, headers=other_site
    )
    assert stolen.status_code == 404
    unauthenticated = await followup.get("/v1/tasks")
    assert unauthenticated.status_code == 401


async def test_open_tasks_and_breaches_are_exposed_to_operations(
    net: Network, clients: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    referral, followup = clients
    rid = (await submit(net, referral, "tasks-metrics")).json()["id"]
    await referral.post(
        f"/v1/intake/{rid}/decline",
        json={"reason": "not_clinical_fit"},
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    await wait_for_task(net, followup, rid)
    listed = await followup.get("/v1/tasks", headers=net.auth(SITE))
    open_next_visit = sum(1 for t in listed.json()["items"] if t["kind"] == "next_visit_check")

    scrape = await followup.get("/metrics", headers=net.auth("network-admin", Role.ADMIN))
    assert scrape.status_code == 200, scrape.text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scrape.text)
        for s in family.samples
    }
    key = ("warmlink_followup_open_tasks", (("kind", "next_visit_check"),))
    assert samples[key] == open_next_visit >= 1
    assert samples[("warmlink_followup_sla_breaches_today", ())] == 0
    assert samples[("warmlink_followup_clock_delay_seconds", ())] == 0
