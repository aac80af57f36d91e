"""The portal in a real browser (Debian's chromium through Playwright): people sign in with a
password and a TOTP code, are locked out after failed attempts, signed out when idle or
disabled; forms without their CSRF token are refused; the referring site's worklist puts urgent
screens first under the crisis lines, and the safety assessment is recorded through the
referral API. Every page is scanned with axe-core."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest

from tests.e2e.conftest import Network
from tests.e2e.portal_support import new_page, started_portal
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from tools.dev.people import add_person
from warmlink.auth import Role

SITE, OTHER_SITE, NETWORK = "riverside-ob", "cedar-heights-obgyn", "network-admin"


@dataclass
class Portal:
    net: Network
    url: str

    def person(self, org: str, role: str, email: str | None = None) -> dict[str, Any]:
        return add_person(self.url, self.net.stack.signing_key, org, role, email=email)

    def query(self, sql: str, *args: object) -> list[Any]:
        """Playwright's sync API runs an event loop in this thread: the query runs in another."""
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self.net.query("portal", sql, *args)).result()


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    with started_portal(infra, ["directory", "screening", "referral", "followup"]) as (net, url):
        yield Portal(net, url)


def screen(portal: Portal, patient_ref: str, *, urgent: bool, site: str = SITE) -> str:
    """A positive PHQ-9 recorded by the site's EHR (a machine token), on its worklist."""
    body = {
        "instrument": "PHQ-9",
        "answers": [2, 2, 2, 2, 1, 1, 0, 0, 1 if urgent else 0],
        "patient_ref": patient_ref,
        "setting": "ob",
        "screened_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    }
    auth = portal.net.auth(site)
    made = httpx.post(f"{portal.net.url('screening')}/v1/screenings", json=body, headers=auth)
    assert made.status_code == 201, made.text
    sid: str = made.json()["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        item = httpx.get(f"{portal.net.url('referral')}/v1/worklist/{sid}", headers=auth)
        if item.status_code == 200:
            return sid
        time.sleep(0.2)
    raise AssertionError("the screen never reached the worklist")


def sign_in(page: Any, portal: Portal, who: dict[str, Any], scan: list[str] | None = None) -> None:
    page.goto(f"{portal.url}/sign-in")
    if scan is not None:
        scan += serious_violations(page)
    page.get_by_label("Email").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code")
    if scan is not None:
        scan += serious_violations(page)
    page.get_by_label("6-digit code").fill(pyotp.TOTP(who["totp_secret"]).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal.url}/")


def test_sign_in_with_password_and_code_by_keyboard_then_sign_out(
    portal: Portal, browser: Any
) -> None:
    who = portal.person(SITE, "clinician")
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{portal.url}/")
    assert page.url.endswith("/sign-in"), "a page behind sign-in sends her to sign in"
    response = page.goto(f"{portal.url}/sign-in")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    scan: list[str] = []
    sign_in(page, portal, who, scan)
    assert "signed in as " + who["email"] in page.inner_text("main")
    scan += serious_violations(page)
    assert scan == [], scan
    cookie = next(c for c in page.context.cookies() if c["name"] == "warmlink_session")
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"]) == (True, True, "Strict")
    stored = portal.query("SELECT id_sha256 FROM sessions WHERE ended IS NULL")
    assert all(bytes(r["id_sha256"]) != cookie["value"].encode() for r in stored)
    assert len(stored[0]["id_sha256"]) == 32, "only the SHA-256 of the session id"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in?ended=signed_out")
    page.goto(f"{portal.url}/")
    assert "/sign-in" in page.url
    outcomes = portal.query(
        "SELECT outcome FROM sign_in_events WHERE person_id = $1 ORDER BY id", who["id"]
    )
    assert [r["outcome"] for r in outcomes] == ["password_ok", "signed_in", "signed_out"]
    assert {h for h in (httpx.URL(u).host for u in requested)} == {"127.0.0.1"}


def test_a_link_followed_signed_out_lands_where_it_pointed_once_she_signs_in(
    portal: Portal, browser: Any
) -> None:
    """An alert's or a thread mail's link opens the sign-in page; signing in goes on to the page
    the link named, not home, and only once."""
    who = portal.person(SITE, "site_coordinator", email="returning-coordinator@example.org")
    page = new_page(browser)
    page.goto(f"{portal.url}/worklist?urgent=1")
    assert "/sign-in" in page.url
    page.get_by_label("Email").fill(who["email"])
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/sign-in/code")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(who["totp_secret"]).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{portal.url}/worklist?urgent=1")
    assert all(c["name"] != "warmlink_return_to" for c in page.context.cookies()), "used once"


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    portal: Portal, browser: Any
) -> None:
    who = portal.person(SITE, "nurse_social_worker")
    page = new_page(browser)
    page.goto(f"{portal.url}/sign-in")
    for attempt in range(5):
        page.get_by_label("Email").fill(who["email"])
        page.get_by_label("Password").fill(f"wrong password {attempt}")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_selector("#password-error")
        assert page.input_value("#email") == who["email"], "what she typed is kept"
    assert "Try again in 1 minute" in page.inner_text("#password-error")
    assert serious_violations(page) == []
    page.get_by_label("Password").fill(who["password"])
    page.get_by_role("button", name="Continue").click()
    assert "Too many attempts" in page.inner_text("#password-error")
    assert page.url.endswith("/sign-in")
    rows = portal.query(
        "SELECT outcome FROM sign_in_events WHERE person_id = $1 ORDER BY id", who["id"]
    )
    assert [r["outcome"] for r in rows] == ["wrong_password"] * 5 + ["locked_out"]
    (locked,) = portal.query("SELECT locked_until, lockouts FROM people WHERE id = $1", who["id"])
    assert locked["lockouts"] == 1 and locked["locked_until"] > datetime.now(UTC)


def test_an_idle_session_ends_and_says_why(portal: Portal, browser: Any) -> None:
    who = portal.person(SITE, "site_coordinator")
    page = new_page(browser)
    sign_in(page, portal, who)
    # Fifteen minutes without a request, told to the database rather than waited for.
    portal.query(
        "UPDATE sessions SET last_seen_at = last_seen_at - interval '15 minutes 1 second' "
        "WHERE person_id = $1 AND ended IS NULL",
        who["id"],
    )
    page.goto(f"{portal.url}/worklist")
    assert "/sign-in" in page.url
    assert "after 15 minutes without activity" in page.inner_text("main")
    (ended,) = portal.query(
        "SELECT ended FROM sessions WHERE person_id = $1 AND stage = 'signed_in'", who["id"]
    )
    assert ended["ended"] == "idle"


def test_a_form_posted_without_its_csrf_token_is_refused(portal: Portal, browser: Any) -> None:
    who = portal.person(OTHER_SITE, "clinician")
    page = new_page(browser)
    sign_in(page, portal, who)
    refused = page.request.post(f"{portal.url}/sign-out", form={"csrf_token": "forged"})
    assert refused.status == 403 and "expired" in refused.text()
    missing = page.request.post(f"{portal.url}/sign-out", form={})
    assert missing.status == 403
    page.goto(f"{portal.url}/")
    assert page.url == f"{portal.url}/", "still signed in: nothing was done"


def test_worklist_urgent_first_under_crisis_lines_and_the_safety_assessment(
    portal: Portal, browser: Any
) -> None:
    routine = screen(portal, "pt-routine-1", urgent=False)
    urgent = screen(portal, "pt-urgent-1", urgent=True)
    who = portal.person(SITE, "ma")
    page = new_page(browser)
    sign_in(page, portal, who)
    page.get_by_role("link", name="Worklist").first.click()
    page.wait_for_url("**/worklist")
    assert serious_violations(page) == []
    main_text = page.inner_text("main")
    assert main_text.index("Crisis lines") < main_text.index("pt-urgent-1")
    assert "988" in page.inner_text(".crisis")
    rows = page.eval_on_selector_all("tbody tr", "rs => rs.map(r => r.dataset.screening)")
    assert rows.index(urgent) < rows.index(routine) and rows[0] == urgent
    assert "Safety assessment needed now" in page.inner_text(f"tr[data-screening='{urgent}']")
    assert page.inner_text(f"tr[data-screening='{urgent}'] .clock").endswith("min")
    # Its deadline: the follow-up service's next clock for the screen (it arms it a moment
    # after the screen, from ScreenPositive).
    deadline = f"tr[data-screening='{urgent}'] .deadline"
    for _ in range(50):
        if page.locator(deadline).count():
            break
        page.wait_for_timeout(200)
        page.reload()
    assert "your site's coordinator is told" in page.inner_text(deadline)

    page.get_by_role("link", name="pt-urgent-1").click()
    page.wait_for_url(f"**/screens/{urgent}")
    page.get_by_role("button", name="Record assessment").click()  # nothing chosen
    page.wait_for_selector("#outcome-error")
    assert "Choose what the safety assessment found" in page.inner_text("#outcome-error")
    assert serious_violations(page) == []
    page.get_by_label("Crisis line contacted").check()
    page.get_by_role("button", name="Record assessment").click()
    page.wait_for_url(f"**/screens/{urgent}?recorded=1")
    assert page.inner_text("#safety-status") == "Crisis line contacted"
    assert "safety assessment" in page.inner_text(".timeline")
    assert serious_violations(page) == []
    item = httpx.get(
        f"{portal.net.url('referral')}/v1/worklist/{urgent}", headers=portal.net.auth(SITE)
    ).json()
    assert item["safety_outcome"] == "crisis_line_contacted"


def test_a_person_of_another_site_gets_404_for_a_screen_not_theirs(
    portal: Portal, browser: Any
) -> None:
    theirs = screen(portal, "pt-elsewhere-1", urgent=True)
    who = portal.person(OTHER_SITE, "ma")
    page = new_page(browser)
    sign_in(page, portal, who)
    response = page.goto(f"{portal.url}/screens/{theirs}")
    assert response.status == 404
    assert "no such screen at your site" in page.inner_text("main")
    assert serious_violations(page) == []
    assert "pt-elsewhere-1" not in page.content()
    page.goto(f"{portal.url}/worklist")
    assert "pt-elsewhere-1" not in page.inner_text("main")


def test_the_people_api_takes_only_roles_that_fit_and_one_account_per_email(
    portal: Portal,
) -> None:
    client_file = portal.net.stack.state_dir / "portal-client.json"
    assert client_file.stat().st_mode & 0o777 == 0o600, "the portal's secret is the owner's only"
    admin = portal.net.auth(NETWORK, Role.ADMIN)
    body = {"organization_id": SITE, "email": "new@riverside-ob.example.org"}
    body |= {"password": "a long enough password"}
    wrong = httpx.post(
        f"{portal.url}/v1/people", json=body | {"role": "intake_coordinator"}, headers=admin
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["pointer"] == "#/role"
    added = httpx.post(f"{portal.url}/v1/people", json=body | {"role": "ma"}, headers=admin)
    assert added.status_code == 201 and added.json()["access_role"] == "clinic"
    again = httpx.post(f"{portal.url}/v1/people", json=body | {"role": "ma"}, headers=admin)
    assert again.status_code == 409
    site = httpx.post(
        f"{portal.url}/v1/people", json=body | {"role": "ma"}, headers=portal.net.auth(SITE)
    )
    assert site.status_code == 403, "only the network's administrators add people here"
    added_id = added.json()["id"]
    (act,) = portal.query(
        "SELECT actor, purpose, record_type FROM audit_log WHERE action = 'admin'"
        " AND record_id = $1",
        added_id,
    )
    assert tuple(act.values()) == (f"{NETWORK}:admin", "add_person", "person")
    refusals = portal.query(
        "SELECT actor, organization_id, reason FROM audit_log WHERE action = 'refused'"
        " AND record_id = 'POST /v1/people'"
    )
    assert [tuple(r.values()) for r in refusals] == [(f"{SITE}:clinic", SITE, "role_not_allowed")]


def test_a_disabled_person_is_signed_out_at_once(portal: Portal, browser: Any) -> None:
    coordinator = portal.person(OTHER_SITE, "site_coordinator")
    nurse = portal.person(OTHER_SITE, "nurse_social_worker")
    nurse_page, admin_page = new_page(browser), new_page(browser)
    sign_in(nurse_page, portal, nurse)
    sign_in(admin_page, portal, coordinator)
    admin_page.get_by_role("link", name="People").first.click()
    admin_page.wait_for_url("**/people")
    assert serious_violations(admin_page) == []
    admin_page.get_by_role("button", name=f"Disable {nurse['email']}").click()
    admin_page.wait_for_url("**/people?done=disabled")
    # Her sessions ended with the click, before she makes another request.
    sessions = portal.query(
        "SELECT ended FROM sessions WHERE person_id = $1 AND stage = 'signed_in'", nurse["id"]
    )
    assert [r["ended"] for r in sessions] == ["disabled"]
    acts = portal.query(
        "SELECT actor, purpose, record_type, record_id FROM audit_log WHERE action = 'admin'"
        " AND record_id = $1 AND purpose = 'disable'",
        str(nurse["id"]),
    )
    assert [tuple(r.values()) for r in acts] == [
        (f"person:{coordinator['id']}", "disable", "person", str(nurse["id"]))
    ]

    nurse_page.goto(f"{portal.url}/worklist")
    assert "/sign-in" in nurse_page.url
    assert "disabled by your organization" in nurse_page.inner_text("main")
    nurse_page.get_by_label("Email").fill(nurse["email"])
    nurse_page.get_by_label("Password").fill(nurse["password"])
    nurse_page.get_by_role("button", name="Continue").click()
    assert nurse_page.url.endswith("/sign-in") and nurse_page.locator("#password-error").count()
    # Another site's coordinator cannot disable her people.
    (outsider,) = portal.query("SELECT id FROM people WHERE organization_id = $1 LIMIT 1", SITE)
    response = admin_page.request.post(
        f"{portal.url}/people/{outsider['id']}/disable",
        form={"csrf_token": admin_page.input_value("input[name=csrf_token]")},
    )
    assert response.status == 404


class Counted:
    """A person's interactions: each click and each field filled counts one."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, locator: Any) -> None:
        self.count += 1
        locator.click()

    def fill(self, locator: Any, value: str) -> None:
        self.count += 1
        locator.fill(value)


def referral_rows(portal: Portal, sql: str, *args: object) -> list[Any]:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, portal.net.query("referral", sql, *args)).result()


@dataclass
class Walked:
    interactions: int
    practice: str
    referral_id: str
    fields: dict[str, str]


def walk_handoff(page: Any, portal: Portal, sid: str, patient_ref: str, call: bool) -> Walked:
    """From the worklist to a submitted handoff, counting her clicks and fields filled: the
    digital method, or the in-room call (whose page shows the intake line and the script)."""
    page.goto(f"{portal.url}/worklist")
    person = Counted()
    person.click(page.get_by_role("link", name=patient_ref))
    page.wait_for_url(f"**/screens/{sid}")
    person.click(page.get_by_label("No insurance"))
    person.click(page.get_by_role("button", name="Find practices"))
    page.wait_for_url(f"**/screens/{sid}/matches?**")
    assert serious_violations(page) == []
    first = page.locator("li.match").first
    assert first.locator(".reasons li").count() >= 1, "each match says why it is there"
    assert "usable without insurance" in page.inner_text("ol.matches")
    practice = first.locator("h2").inner_text().split(":")[0]
    link = f"Call {practice} now" if call else f"Refer to {practice}"
    person.click(first.get_by_role("link", name=link))
    page.wait_for_url(f"**/screens/{sid}/handoff?**")
    if call:
        assert page.get_attribute("#intake-phone", "href").startswith("tel:")
        assert "I have a patient with me now" in page.inner_text("#script")
        assert serious_violations(page) == []
    person.fill(page.get_by_label("Her first name"), "Maria")
    person.fill(page.get_by_label("Her last name"), "Lopez")
    person.fill(page.get_by_label("Best phone number"), "312-555-0187")
    person.click(page.get_by_label("I read the number back"))
    person.click(page.get_by_label("She agrees to this referral"))
    fields = page.eval_on_selector("form.card", "f => Object.fromEntries(new FormData(f))")
    person.click(page.get_by_role("button", name="Send the referral"))
    page.wait_for_selector("#referral-id")
    assert practice in page.inner_text("#tell-the-patient")
    assert serious_violations(page) == []
    return Walked(person.count, practice, page.inner_text("#referral-id"), fields)


def test_a_digital_handoff_from_the_worklist_in_ten_interactions_and_one_referral(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-handoff-1", urgent=False)
    me = portal.person(SITE, "clinician", email="handoff@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    walked = walk_handoff(page, portal, sid, "pt-handoff-1", call=False)
    print(f"digital handoff: {walked.interactions} interactions from worklist item to submitted")
    assert walked.interactions <= 10, walked.interactions

    # The form sent again (a second click, a reload) makes no second referral.
    again = page.request.post(f"{portal.url}/screens/{sid}/handoff", form=walked.fields)
    assert again.status == 201 and walked.referral_id in again.text()
    made = referral_rows(
        portal, "SELECT id, method FROM referrals WHERE patient_ref = $1", "pt-handoff-1"
    )
    assert [(str(r["id"]), r["method"]) for r in made] == [(walked.referral_id, "digital")]
    # The referral service's audit names the person who made it.
    actors = referral_rows(
        portal, "SELECT DISTINCT actor FROM audit_log WHERE record_id = $1", walked.referral_id
    )
    assert [r["actor"] for r in actors] == [f"person:{me['id']}"]
    item = httpx.get(
        f"{portal.net.url('referral')}/v1/worklist/{sid}", headers=portal.net.auth(SITE)
    ).json()
    assert item["status"] == "referred" and item["referral_id"] == walked.referral_id

    # What she hears, from the page that said the referral was sent: in English (the form's
    # default), and nothing to send where the network sends patients nothing.
    page.get_by_role("link", name="Show her what happens next").click()
    page.wait_for_url(f"**/referrals/{walked.referral_id}/for-patient")
    panel = page.locator("section.for-patient")
    assert panel.get_attribute("lang") == "en"
    assert f"referred you to {walked.practice}" in panel.inner_text()
    assert "within one business day" in panel.inner_text() and "988" in panel.inner_text()
    assert page.get_by_role("button", name="Send to her phone").count() == 0
    assert serious_violations(page) == []


def test_an_in_room_call_handoff_shows_the_line_and_script_in_ten_interactions(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-call-1", urgent=True)
    me = portal.person(SITE, "nurse_social_worker", email="call@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    walked = walk_handoff(page, portal, sid, "pt-call-1", call=True)
    print(
        f"in-room call handoff: {walked.interactions} interactions from worklist item to submitted"
    )
    assert walked.interactions <= 10, walked.interactions
    made = referral_rows(
        portal, "SELECT method, urgency FROM referrals WHERE id = $1", uuid.UUID(walked.referral_id)
    )
    assert [(r["method"], r["urgency"]) for r in made] == [("in_room_call", "urgent")]


def test_a_handoff_with_missing_details_says_what_to_fix_and_keeps_what_was_typed(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-handoff-2", urgent=True)
    me = portal.person(SITE, "ma", email="handoff-ma@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.goto(f"{portal.url}/screens/{sid}")
    page.get_by_role("button", name="Find practices").click()  # coverage not chosen
    assert "Choose how her care would be paid for" in page.inner_text("#coverage-error")
    page.get_by_label("Private insurance plan").check()
    page.get_by_role("button", name="Find practices").click()
    assert "Enter her plan" in page.inner_text("#plan-error")
    page.get_by_label("Her plan").fill("bcbs-il")
    page.get_by_role("button", name="Find practices").click()
    page.wait_for_url("**/matches?**")
    assert "Crisis lines" in page.inner_text("main"), "an urgent screen keeps them on top"
    page.locator("a.refer").first.click()
    page.wait_for_url("**/handoff?**")
    page.get_by_label("Her first name").fill("Ana")
    page.get_by_label("Best phone number").fill("not a phone")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#family_name-error")
    assert "Enter her last name" in page.inner_text("#family_name-error")
    assert "Enter a phone number" in page.inner_text("#phone-error")
    assert "must agree" in page.inner_text("#consent-error")
    assert page.input_value("#given_name") == "Ana" and page.input_value("#phone") == "not a phone"
    assert serious_violations(page) == []
    made = referral_rows(portal, "SELECT id FROM referrals WHERE patient_ref = $1", "pt-handoff-2")
    assert made == []


def test_a_screen_done_on_paper_is_entered_scored_by_the_screening_service_and_listed(
    portal: Portal, browser: Any
) -> None:
    me = portal.person(SITE, "ma", email="paper@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.goto(f"{portal.url}/worklist")
    page.get_by_role("link", name="Enter a screen done on paper").click()
    page.wait_for_url("**/screens/new")
    assert serious_violations(page) == []
    page.get_by_label("Patient reference").fill("pt-paper-1")
    # EPDS as printed; item 10 (self-harm) is reverse-keyed: its first option scores 3, urgent.
    answers = [1, 1, 2, 1, 2, 2, 1, 1, 2, 0]
    for item, position in enumerate(answers[:9], start=1):
        page.locator(f"#item_{item}-{position}").check()
    page.get_by_role("button", name="Record the screen").click()
    page.wait_for_selector("#item_10-error")
    assert "Choose the option she marked for item 10" in page.inner_text("#item_10-error")
    assert page.input_value("#patient_ref") == "pt-paper-1", "what was typed is kept"
    assert page.is_checked("#item_9-2")
    assert serious_violations(page) == []
    page.locator(f"#item_10-{answers[9]}").check()
    page.get_by_role("button", name="Record the screen").click()
    page.wait_for_selector("#screen-result")
    assert page.inner_text("#screen-result").startswith("EPDS total")
    assert "urgent" in page.inner_text("#screen-result")
    assert "988" in page.inner_text(".crisis")
    assert serious_violations(page) == []
    for _ in range(50):  # ScreenPositive reaches the worklist a moment later
        page.goto(f"{portal.url}/worklist")
        if "pt-paper-1" in page.inner_text("main"):
            break
        page.wait_for_timeout(200)
    row = page.locator("tr", has_text="pt-paper-1")
    assert "Urgent" in row.inner_text() and "Safety assessment needed now" in row.inner_text()


def test_no_development_mailbox_unless_one_is_configured(portal: Portal) -> None:
    """This portal was started without PORTAL_DEV_MAILBOX_DIR (no mail sink)."""
    for path in ("/dev/mailbox", "/dev/mailbox/1733400000.M1P2Q3.host"):
        response = httpx.get(f"{portal.url}{path}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
