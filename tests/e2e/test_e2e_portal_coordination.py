"""The coordinators' consoles in a real browser (issue 16), on real data: a referral left
unacknowledged until its SLA breaches and another at its 7-to-10-day scheduling check (the
follow-up service's clocks advanced by telling its database they are due, as the scheduler
then fires them), a positive screen nobody referred, the follow-up completed from the console
by keyboard with its barrier and what was tried (then listed under re-engagement), the monthly
review on screen and as CSV; and the network's console: listings going stale, practices that
never confirm, a practice suspended and reinstated (matching leaves it out meanwhile), the
network's own organization refused. Every page is scanned with axe-core."""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.portal_support import new_page, started_portal
from tests.e2e.test_e2e_portal import Portal, screen, sign_in
from tests.e2e.test_e2e_referral_lifecycle import body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from warmlink.auth import Role

SITE, PRACTICE, NETWORK = "riverside-ob", "bloom-therapy", "network-admin"
SUSPENDED, SUSPENDED_NAME = "northside-cmhc", "Northside Community Mental Health Center"
DISCHARGE = "2031-05-02T15:00:00+00:00"  # planned; its alert clock is made due by the test
UNINSURED_DOWNTOWN = {
    "level_of_care": "outpatient_therapy",
    "coverage": "uninsured",
    "latitude": 41.88,
    "longitude": -87.63,
}


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    with started_portal(infra, ["directory", "screening", "referral", "followup"]) as (net, url):
        yield Portal(net, url)


def query(portal: Portal, service: str, sql: str, *args: object) -> list[Any]:
    """Playwright's sync API runs an event loop in this thread: the query runs in another."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, portal.net.query(service, sql, *args)).result()


def until(probe: Callable[[], Any], what: str, timeout: float = 40) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"never: {what}")


def refer(portal: Portal, tag: str, **overrides: Any) -> dict[str, Any]:
    headers = portal.net.auth(SITE) | {"Idempotency-Key": f"coord-{tag}-{uuid.uuid4()}"}
    made = httpx.post(
        f"{portal.net.url('referral')}/v1/referrals",
        json=body(patient_ref=f"pt-coord-{tag}", **overrides),
        headers=headers,
    )
    assert made.status_code == 201, made.text
    referral: dict[str, Any] = made.json()
    return referral


def fire(portal: Portal, referral_id: str, kind: str) -> None:
    """The clock fires now: what days of waiting would do, told to the follow-up database (its
    deadline kept: a gate whose deadline changed is taken for a moved discharge)."""
    until(
        lambda: query(
            portal,
            "followup",
            "SELECT 1 FROM clocks WHERE referral_id = $1::uuid AND kind = $2",
            referral_id,
            kind,
        ),
        f"the {kind} clock armed",
    )
    query(
        portal,
        "followup",
        "UPDATE clocks SET fire_at = now() - interval '1 second'"
        " WHERE referral_id = $1::uuid AND kind = $2 AND fired_at IS NULL",
        referral_id,
        kind,
    )


def shown_after_reload(page: Any, selector: str, what: str) -> None:
    def probe() -> bool:
        page.reload()
        return bool(page.locator(selector).count())

    until(probe, what)


def test_the_site_coordinator_works_her_console(portal: Portal, browser: Any) -> None:
    unacknowledged = refer(portal, "breach")
    at_day_seven = refer(portal, "day7")
    acknowledged = httpx.post(
        f"{portal.net.url('referral')}/v1/intake/{at_day_seven['id']}/acknowledge",
        headers=portal.net.auth(PRACTICE, Role.PRACTICE),
    )
    assert acknowledged.status_code == 200, acknowledged.text
    fire(portal, unacknowledged["id"], "ack_due")
    fire(portal, at_day_seven["id"], "followup_window")
    leaving = refer(portal, "gate", setting="hospital", planned_discharge_at=DISCHARGE)
    fire(portal, leaving["id"], "gate_alert")  # hours before discharge, no appointment
    unreferred = screen(portal, "pt-coord-unreferred", urgent=True)

    coordinator = portal.person(SITE, "site_coordinator", email="console@riverside.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.get_by_role("navigation").get_by_role("link", name="Coordination").click()
    page.wait_for_url("**/coordination")
    shown_after_reload(
        page, f"#breaches tr[data-referral='{unacknowledged['id']}']", "the breach listed"
    )
    shown_after_reload(
        page, f"#due tr[data-referral='{at_day_seven['id']}']", "the scheduling check due"
    )
    assert serious_violations(page) == []

    breach = page.inner_text(f"#breaches tr[data-referral='{unacknowledged['id']}']")
    assert "Not acknowledged in time" in breach and PRACTICE in breach
    overdue_ack = page.locator(f"#due tr[data-referral='{unacknowledged['id']}']")
    assert "Practice has not acknowledged" in overdue_ack.inner_text()
    check = page.locator(f"#due tr[data-referral='{at_day_seven['id']}']")
    assert "Scheduling check (7 to 10 days)" in check.inner_text()
    urgent_screen = page.locator(f"#unreferred li[data-screening='{unreferred}']")
    assert "Urgent" in urgent_screen.inner_text()
    assert urgent_screen.get_by_role("link").get_attribute("href") == f"/screens/{unreferred}"
    first = page.locator("#unreferred li").first
    assert "Urgent" in first.inner_text(), "urgent screens first"
    assert "Positive screens not referred" in page.inner_text("#unreferred-h")
    assert "safety issue" in page.inner_text("main")
    shown_after_reload(
        page, f"#gate-risks li[data-referral='{leaving['id']}']", "the discharge gate risk"
    )
    gate = page.inner_text(f"#gate-risks li[data-referral='{leaving['id']}']")
    assert "Discharge without an appointment" in gate and "before the patient leaves" in gate

    # The scheduling check, recorded by keyboard; the form first refuses a missing barrier.
    check.get_by_role("link", name="Record what you found").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/coordination/tasks/*")
    assert serious_violations(page) == []
    page.get_by_label("Not scheduled").focus()
    page.keyboard.press("Space")
    page.get_by_label("Called her").focus()
    page.keyboard.press("Space")
    page.get_by_label("Yes").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Record the follow-up").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#barrier-error")
    assert "Choose what stood in the way." in page.inner_text("#barrier-error")
    assert page.get_by_label("Called her").is_checked(), "what she chose is kept"
    assert page.get_by_label("Not scheduled").is_checked()
    assert serious_violations(page) == []
    page.get_by_label("What stood in the way").select_option("transportation")
    page.get_by_label("Arranged transport").check()
    page.get_by_role("button", name="Record the follow-up").press("Enter")
    page.wait_for_url("**/coordination?completed=1")
    assert "Follow-up recorded." in page.inner_text("[role=status]")
    row = page.locator(f"#re-engagement tr[data-referral='{at_day_seven['id']}']")
    assert row.locator(".barrier").inner_text() == "Transportation"
    assert row.locator(".tried").inner_text() == "Arranged transport, Called her"
    assert page.locator(f"#due tr[data-referral='{at_day_seven['id']}']").count() == 0
    assert serious_violations(page) == []
    stored = query(
        portal,
        "followup",
        "SELECT outcome, barrier, tried, re_engaged, closed_by FROM tasks"
        " WHERE referral_id = $1::uuid AND status = 'completed'",
        at_day_seven["id"],
    )
    assert [(r["outcome"], r["barrier"], r["tried"], r["re_engaged"]) for r in stored] == [
        ("not_scheduled", "transportation", ["arranged_transport", "called"], True)
    ]
    assert stored[0]["closed_by"].startswith("person:")
    page.goto(f"{portal.url}/coordination/tasks/{row.get_attribute('data-task')}")
    assert "This follow-up was recorded: Not scheduled, transportation." in page.inner_text("main")
    assert page.get_by_role("button", name="Record the follow-up").count() == 0


def test_the_monthly_review_on_screen_and_as_csv(
    portal: Portal, browser: Any, tmp_path: Path
) -> None:
    made = refer(portal, "monthly")
    # The review month the referral falls in, in the network's zone (the portal's default one).
    submitted = datetime.fromisoformat(made["submitted_at"])
    month = submitted.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m")
    coordinator = portal.person(SITE, "site_coordinator", email="monthly@riverside.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.goto(f"{portal.url}/coordination/monthly?month={month}")

    def referred() -> int:
        page.reload()
        cell = page.locator(f"#monthly tr[data-month='{month}'] td").first
        return int(cell.inner_text()) if cell.count() else 0

    shown = until(referred, "the referral counted in the review")
    assert page.locator("#monthly tbody tr").count() == 3, "the month and the two before it"
    assert serious_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {month} as CSV").click()
    path = tmp_path / "review.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["month", "section", "group_by", "group", "measure", "value"]
    referred_rows = [r for r in rows if r[1:3] == ["measures", "network"] and r[4] == "referred"]
    assert referred_rows == [[month, "measures", "network", "all", "referred", str(shown)]]
    assert {r[3] for r in rows if r[2] == "site"} == {SITE}, "her site's only"

    page.goto(f"{portal.url}/coordination/monthly?month=2026-13")
    assert "Give a month as YYYY-MM" in page.inner_text("#month-error")
    assert page.input_value("#month") == "2026-13"


def test_only_coordinators_have_their_consoles(portal: Portal, browser: Any) -> None:
    ma = portal.person(SITE, "ma", email="ma-console@riverside.example.org")
    page = new_page(browser)
    sign_in(page, portal, ma)
    assert page.get_by_role("navigation").get_by_role("link", name="Coordination").count() == 0
    assert page.goto(f"{portal.url}/coordination").status == 403
    assert page.goto(f"{portal.url}/coordination/monthly").status == 403
    assert page.goto(f"{portal.url}/network").status == 404
    coordinator = portal.person(SITE, "site_coordinator", email="no-network@riverside.example.org")
    other = new_page(browser)
    sign_in(other, portal, coordinator)
    assert other.get_by_role("navigation").get_by_role("link", name="Network").count() == 0
    assert other.goto(f"{portal.url}/network").status == 404
    forged = other.request.post(f"{portal.url}/network/organizations/{PRACTICE}/suspend")
    assert forged.status == 403, "no CSRF token: refused before anything else"


def matched(portal: Portal) -> set[str]:
    found = httpx.get(
        f"{portal.net.url('directory')}/v1/matches",
        params=UNINSURED_DOWNTOWN,
        headers=portal.net.auth(SITE),
    )
    assert found.status_code == 200, found.text
    return {m["organization_id"] for m in found.json()["matches"]}


def test_the_network_console(portal: Portal, browser: Any) -> None:
    # Capacity confirmations aged in the follow-up service's read model, as days would age them.
    until(
        lambda: query(
            portal, "followup", "SELECT 1 FROM measure_capacity WHERE practice_id = $1", PRACTICE
        ),
        "the region's capacity in the read model",
    )
    query(
        portal,
        "followup",
        "UPDATE measure_capacity SET verified_at = now() - interval '40 days'"
        " WHERE practice_id = $1",
        PRACTICE,
    )
    aged = query(
        portal,
        "followup",
        "UPDATE measure_capacity SET verified_at = now() - interval '6 days'"
        " WHERE service_id = (SELECT min(service_id) FROM measure_capacity WHERE practice_id <> $1)"
        " RETURNING service_id",
        PRACTICE,
    )
    soon = aged[0]["service_id"]
    coordinator = portal.person(NETWORK, "network_coordinator", email="nc@network.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.get_by_role("navigation").get_by_role("link", name="Network").click()
    page.wait_for_url("**/network")
    assert serious_violations(page) == []
    assert page.get_by_role("link", name="Who saw or changed a referral").count() == 1
    assert page.locator(f"#going-stale tr[data-service='{soon}'] .staleness").inner_text() == (
        "stale in 1 day"
    )
    stale_rows = page.locator("#going-stale tbody tr")
    assert stale_rows.first.locator(".staleness").inner_text().startswith("stale since")
    assert "Bloom Perinatal Therapy: last confirmed" in page.inner_text(
        f"#never-confirming li[data-practice='{PRACTICE}']"
    )
    assert "in the last 30 days" in page.inner_text("main")
    figures = httpx.get(
        f"{portal.net.url('followup')}/v1/metrics", headers=portal.net.auth(NETWORK, Role.ADMIN)
    ).json()
    referred = figures["groups"][0]["measures"]["referred"] if figures["groups"] else 0
    assert page.inner_text("#figures dd >> nth=0") == str(referred)
    assert "not suspended" in page.inner_text(f"#organizations tr[data-org='{NETWORK}']")

    # Suspend, by keyboard: the link, then the confirm step.
    assert SUSPENDED in matched(portal)
    row = page.locator(f"#organizations tr[data-org='{SUSPENDED}']")
    row.get_by_role("link", name=f"Suspend {SUSPENDED_NAME}").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/network/organizations/{SUSPENDED}/suspend")
    assert serious_violations(page) == []
    page.get_by_role("button", name=f"Yes, suspend {SUSPENDED_NAME}").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/network?done=suspend*")
    assert f"{SUSPENDED_NAME} is suspended" in page.inner_text("[role=status]")
    assert row.locator(".status").inner_text() == "suspended"
    until(lambda: SUSPENDED not in matched(portal), "matching leaving the suspended practice out")

    row.get_by_role("link", name=f"Reinstate {SUSPENDED_NAME}").click()
    page.get_by_role("button", name=f"Yes, reinstate {SUSPENDED_NAME}").click()
    page.wait_for_url("**/network?done=reinstate*")
    assert f"{SUSPENDED_NAME} is reinstated" in page.inner_text("[role=status]")
    assert row.locator(".status").inner_text() == "active"
    until(lambda: SUSPENDED in matched(portal), "matching offering the practice again")

    # The monthly review of one site, chosen from the select.
    page.get_by_role("link", name="Monthly completion review").click()
    page.get_by_label("Site").select_option(SITE)
    page.get_by_role("button", name="Show the review").click()
    page.wait_for_url(f"**site={SITE}*")
    assert f"({SITE})" in page.inner_text("#monthly caption")
    assert page.locator("#monthly tbody tr").count() == 3
    assert serious_violations(page) == []

    # The network's own organization: no button, and the directory refuses if asked anyway.
    page.goto(f"{portal.url}/network/organizations/{NETWORK}/suspend")
    page.get_by_role("button", name="Yes, suspend").click()
    assert "network's own organization" in page.inner_text("#problem")
    assert serious_violations(page) == []
    refused = httpx.post(
        f"{portal.net.url('directory')}/v1/organizations/{NETWORK}/suspend",
        headers=portal.net.auth(NETWORK, Role.ADMIN),
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["pointer"] == "#/status"
    kept = httpx.get(
        f"{portal.net.url('directory')}/v1/organizations",
        headers=portal.net.auth(NETWORK, Role.ADMIN),
    ).json()
    assert [o["status"] for o in kept if o["id"] == NETWORK] == ["active"]
