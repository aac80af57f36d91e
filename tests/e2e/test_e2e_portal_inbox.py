"""The receiving practice's intake coordinator in a real browser (issue 16), on a tablet: the
inbox lists real submitted referrals urgent first with their acknowledgement countdown, filters
by status and clinician; she acknowledges by keyboard in at most 3 interactions after signing in,
logs a contact attempt, books telehealth in at most 8 and in person, records attended and a
no-show, cancels and re-books in one form, and declines with a coded reason; each time the page
and the referral service report the new status. Every page is scanned with axe-core; another
practice's person gets 404 for this practice's referral."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.portal_support import new_page, started_portal
from tests.e2e.test_e2e_portal import Counted, Portal, referral_rows, screen, sign_in
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, SITE, body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from warmlink.auth import Role

CHICAGO = ZoneInfo("America/Chicago")  # the portal's network time zone (its default)
COUNTDOWN = re.compile(
    r"^(\d+ business (hour|minute)s? left|less than a business minute left"
    r"|overdue by \d+ business (hour|minute)s?|overdue since .+)$"
)


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    with started_portal(infra, ["directory", "screening", "referral"]) as (net, url):
        yield Portal(net, url)


def submit(portal: Portal, patient_ref: str, **overrides: Any) -> str:
    """A referral as the site's EHR submits it (a machine token), to the practice."""
    headers = portal.net.auth(SITE) | {"Idempotency-Key": str(uuid.uuid4())}
    made = httpx.post(
        f"{portal.net.url('referral')}/v1/referrals",
        json=body(patient_ref=patient_ref, **overrides),
        headers=headers,
    )
    assert made.status_code == 201, made.text
    rid: str = made.json()["id"]
    return rid


def reported(portal: Portal, rid: str) -> dict[str, Any]:
    """The referral as the referral service reports it to the practice."""
    read = httpx.get(
        f"{portal.net.url('referral')}/v1/referrals/{rid}",
        headers=portal.net.auth(PRACTICE, Role.PRACTICE),
    )
    assert read.status_code == 200, read.text
    found: dict[str, Any] = read.json()
    return found


def yesterday() -> str:
    """A date whose appointment has happened, so attendance can be recorded."""
    return (datetime.now(UTC).astimezone(CHICAGO) - timedelta(days=1)).date().isoformat()


def clean(page: Any) -> None:
    assert serious_violations(page) == []


def test_the_intake_coordinator_works_the_inbox_from_acknowledgement_to_decline(
    portal: Portal, browser: Any
) -> None:
    routine = submit(portal, "pt-inbox-routine")
    sid = screen(portal, "pt-inbox-urgent", urgent=True, site=SITE)
    her = PATIENT | {"weeks_postpartum": 6, "voicemail_safe": False, "text_safe": True}
    urgent = submit(
        portal,
        "pt-inbox-urgent",
        screening_id=sid,
        patient=her,
        barriers=["transport", "childcare"],
    )
    rebooked = submit(portal, "pt-inbox-rebook")
    declined = submit(portal, "pt-inbox-decline")
    coordinator = portal.person(PRACTICE, "intake_coordinator", email="intake@bloom.example.org")
    clinician = portal.person(PRACTICE, "clinician", email="lee@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)

    # Acknowledge the urgent one from the inbox: the nav link, then by keyboard to its button.
    person = Counted()
    person.click(page.get_by_role("navigation").get_by_role("link", name="Inbox"))
    page.wait_for_url("**/inbox")
    clean(page)
    rows = page.locator("table.inbox tbody tr")
    assert rows.first.get_attribute("data-referral") == urgent, "urgent first"
    assert rows.count() == 4
    assert "Urgent" in rows.first.inner_text()
    for row in range(4):
        text = rows.nth(row).locator("td.countdown .left").inner_text()
        assert COUNTDOWN.match(text), text
    button = f"Acknowledge the referral for {'pt-inbox-urgent'}"
    tabs = 0
    while page.evaluate("document.activeElement.getAttribute('aria-label')") != button:
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs < 40, "the acknowledge button is reachable by keyboard"
    person.count += 1
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/inbox/{urgent}?done=acknowledge")
    print(f"acknowledge interactions: {person.count} (limit 3), keyboard: {tabs} Tab presses")
    assert person.count <= 3
    assert page.inner_text("#status") == "Acknowledged: reach her and book"
    assert reported(portal, urgent)["status"] == "acknowledged"
    assert "intake@bloom.example.org" in page.inner_text("table.timeline"), "who acknowledged"
    clean(page)

    # The referral as intake needs it.
    assert "PHQ-9" in page.inner_text("#screen") and "positive" in page.inner_text("#screen")
    assert "6 weeks postpartum" in page.inner_text("#period")
    assert page.inner_text("#coverage") == "plan, bcbs-il"
    assert page.inner_text("#barriers") == "transport, childcare"
    assert page.inner_text("#voicemail-safe") == "do not leave a voicemail"
    assert page.inner_text("#text-safe") == "safe to text"
    assert PATIENT["phone"] in page.inner_text("#her")
    assert "dr-okafor" in page.inner_text("#referrer")

    # A contact attempt: the missing outcome is said beside it, the channel kept.
    page.get_by_label("How", exact=True).select_option("phone")
    page.get_by_role("button", name="Log the attempt").click()
    page.wait_for_selector("#outcome-error")
    assert page.input_value("#channel") == "phone", "what was chosen is kept"
    clean(page)
    page.get_by_label("What happened").select_option("left_message")
    page.get_by_role("button", name="Log the attempt").click()
    page.wait_for_url(f"**/inbox/{urgent}?done=contact")
    assert "The practice tried to reach her (left message)" in page.inner_text("table.timeline")
    assert reported(portal, urgent)["status"] == "acknowledged"

    # Book telehealth from the inbox: counted from the inbox page.
    page.goto(f"{portal.url}/inbox")
    person = Counted()
    person.click(page.get_by_role("link", name="pt-inbox-urgent"))
    page.wait_for_url(f"**/inbox/{urgent}")
    person.fill(page.get_by_label("Date", exact=True), yesterday())
    person.fill(page.get_by_label("Time", exact=True), "10:30")
    person.count += 1  # one choice from the practice's clinicians
    page.get_by_label("Clinician").select_option(f"person:{clinician['id']}")
    person.click(page.get_by_label("Telehealth", exact=True))
    person.click(page.get_by_role("button", name="Book"))
    page.wait_for_selector("#telehealth_instructions-error")
    assert page.input_value("#time") == "10:30", "what was typed is kept"
    clean(page)
    person.fill(page.get_by_label("How to join (telehealth)"), "Link texted the day before")
    person.click(page.get_by_role("button", name="Book"))
    page.wait_for_url(f"**/inbox/{urgent}?done=schedule")
    print(f"schedule interactions: {person.count} (limit 8), one refused attempt included")
    assert person.count <= 8
    assert page.inner_text("#status") == "Appointment booked"
    assert "with lee@bloom.example.org" in page.inner_text("#appointment")
    booked = reported(portal, urgent)
    assert booked["status"] == "scheduled"
    assert booked["appointment"]["modality"] == "telehealth"
    assert booked["appointment"]["clinician"] == f"person:{clinician['id']}"
    assert booked["appointment"]["telehealth_instructions"] == "Link texted the day before"
    clean(page)
    page.get_by_role("button", name="She attended").click()
    page.wait_for_url(f"**/inbox/{urgent}?done=attended")
    assert page.inner_text("#status") == "Attended"
    assert reported(portal, urgent)["status"] == "attended"
    clean(page)
    page.get_by_label("How it ends").select_option("in_care")
    page.get_by_role("button", name="Close", exact=True).click()
    page.wait_for_url(f"**/inbox/{urgent}?done=close")
    assert page.inner_text("#status") == "Closed"
    assert reported(portal, urgent)["status"] == "closed"

    # In person (the practice's address filled in), cancel and re-book in one form, no-show.
    page.goto(f"{portal.url}/inbox/{rebooked}")
    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_url(f"**/inbox/{rebooked}?done=acknowledge")
    assert page.input_value("#location"), "the practice's address is offered"
    page.get_by_label("Date", exact=True).fill(yesterday())
    page.get_by_label("Time", exact=True).fill("09:00")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(f"**/inbox/{rebooked}?done=schedule")
    first = reported(portal, rebooked)
    assert (first["status"], first["appointment"]["modality"]) == ("scheduled", "in_person")
    assert first["appointment"]["location"] == page.input_value("#location")
    clean(page)
    page.get_by_label("Who cancelled").select_option("patient")
    page.get_by_label("Why").select_option("rescheduled")
    page.get_by_label("Date", exact=True).fill(yesterday())
    page.get_by_label("Time", exact=True).fill("15:00")
    page.get_by_role("button", name="Cancel and re-book").click()
    page.wait_for_url(f"**/inbox/{rebooked}?done=rebook")
    again = reported(portal, rebooked)
    assert (
        again["status"] == "scheduled" and again["appointment"]["at"] != first["appointment"]["at"]
    )
    timeline = page.inner_text("table.timeline")
    assert "Appointment cancelled (rescheduled)" in timeline
    page.get_by_role("button", name="She did not come").click()
    page.wait_for_url(f"**/inbox/{rebooked}?done=missed")
    assert page.inner_text("#status") == "Missed her appointment"
    assert reported(portal, rebooked)["status"] == "no_show"
    clean(page)

    # Decline with a coded reason.
    page.goto(f"{portal.url}/inbox/{declined}")
    page.get_by_role("button", name="Decline the referral").click()
    page.wait_for_selector("#reason-error")
    clean(page)
    page.get_by_label("Reason").select_option("no_capacity")
    page.get_by_role("button", name="Decline the referral").click()
    page.wait_for_url(f"**/inbox/{declined}?done=decline")
    assert page.inner_text("#status") == "Declined"
    assert reported(portal, declined)["status"] == "declined"

    # Filters: by status, and by the clinician the appointment is with.
    page.goto(f"{portal.url}/inbox")
    page.get_by_label("Status").select_option("declined")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url("**/inbox?status=declined**")
    shown = page.locator("table.inbox tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.referral)"
    )
    assert shown == [declined]
    clean(page)
    page.goto(f"{portal.url}/inbox")
    page.get_by_label("Booked with").select_option(f"person:{clinician['id']}")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url("**/inbox?**clinician=**")
    shown = page.locator("table.inbox tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.referral)"
    )
    assert shown == [urgent]
    assert page.locator("#clinician").input_value() == f"person:{clinician['id']}", "kept"
    assert routine not in shown


def test_another_practices_person_gets_404_and_a_site_has_no_inbox(
    portal: Portal, browser: Any
) -> None:
    rid = submit(portal, "pt-inbox-not-yours")
    other = portal.person("northside-cmhc", "intake_coordinator", email="intake@northside.example")
    page = new_page(browser)
    sign_in(page, portal, other)
    response = page.goto(f"{portal.url}/inbox/{rid}")
    assert response.status == 404
    assert "pt-inbox-not-yours" not in page.inner_text("main")
    page.goto(f"{portal.url}/inbox")
    assert page.locator(f"tr[data-referral='{rid}']").count() == 0
    csrf = page.input_value("input[name=csrf_token]")
    moved = page.request.post(f"{portal.url}/inbox/{rid}/acknowledge", form={"csrf_token": csrf})
    assert moved.status == 404
    assert reported(portal, rid)["status"] == "submitted"

    nurse = portal.person(SITE, "nurse_social_worker", email="nurse-inbox@riverside.example")
    page = new_page(browser)
    sign_in(page, portal, nurse)
    assert page.get_by_role("navigation").get_by_role("link", name="Inbox").count() == 0
    assert page.goto(f"{portal.url}/inbox").status == 403


def test_an_iop_referrals_discharge_summary_opens_from_its_page(
    portal: Portal, browser: Any
) -> None:
    rid = submit(portal, "pt-inbox-iop", setting="iop_php", last_iop_session_on="2026-12-18")
    text = b"Discharge summary: stepped down from IOP; continue weekly therapy."
    sent = httpx.put(
        f"{portal.net.url('referral')}/v1/referrals/{rid}/discharge-summary",
        content=text,
        headers=portal.net.auth(SITE) | {"Content-Type": "text/plain"},
    )
    assert sent.status_code == 204, sent.text
    coordinator = portal.person(PRACTICE, "intake_coordinator", email="iop@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.goto(f"{portal.url}/inbox/{rid}")
    clean(page)
    link = page.get_by_role("link", name="Discharge summary")
    document = page.request.get(portal.url + str(link.get_attribute("href")))
    assert document.status == 200
    assert document.body() == text and document.headers["content-type"].startswith("text/plain")
    # The read is audited by the referral service, naming her.
    reads = referral_rows(
        portal,
        "SELECT actor FROM audit_log WHERE record_id = $1 AND record_type = $2",
        rid,
        "referral_discharge_summary",
    )
    assert f"person:{coordinator['id']}" in [r["actor"] for r in reads]


def test_weeks_postpartum_asked_at_the_handoff_reach_the_practices_page(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-inbox-weeks", urgent=False, site=SITE)
    ma = portal.person(SITE, "ma", email="weeks@riverside.example")
    page = new_page(browser)
    sign_in(page, portal, ma)
    handoff = "practice_id=bloom-therapy&service_id=bloom-therapy-outpatient&method=digital"
    page.goto(f"{portal.url}/screens/{sid}/handoff?{handoff}&coverage=plan&plan=bcbs-il")
    page.get_by_label("Her first name").fill("Rosa")
    page.get_by_label("Her last name").fill("Diaz")
    page.get_by_label("Best phone number").fill("312-555-0133")
    page.get_by_label("I read the number back").check()
    page.get_by_label("Weeks since the birth").fill("200")
    page.get_by_label("She agrees to this referral").check()
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#weeks_postpartum-error")
    assert page.input_value("#given_name") == "Rosa", "what was typed is kept"
    clean(page)
    page.get_by_label("Weeks since the birth").fill("6")
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#referral-id")
    rid = page.inner_text("#referral-id")

    coordinator = portal.person(PRACTICE, "intake_coordinator", email="weeks@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.goto(f"{portal.url}/inbox/{rid}")
    assert page.inner_text("#period").startswith("6 weeks postpartum")
    assert page.inner_text("#coverage") == "plan, bcbs-il"
    assert "weeks@riverside.example" in page.inner_text("#referrer"), "who referred her"
    clean(page)
