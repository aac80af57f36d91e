"""The referring site's referrals in a real browser: the list and its filters (a plain GET form
that keeps what was chosen), paging, one referral with its timeline newest first, the monthly
review's CSV; the panel written for the patient in Spanish, sent to her once on a double click
(a real SMTP server receives it). Another site's person gets 404. Every page is scanned with
axe-core."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tests.e2e.portal_support import new_page, started_portal
from tests.e2e.test_e2e_portal import (
    OTHER_SITE,
    SITE,
    Portal,
    referral_rows,
    sign_in,
)
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from warmlink.auth import PersonRole, Role

SPANISH_SUBJECT = "Su referido: que pasa ahora"  # plain ASCII, like all she is sent
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def portal(infra: Infrastructure, smtp: tuple[Inbox, int]) -> Iterator[Portal]:
    env = {"NOTIFY_CHANNEL": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp[1])}
    portal_env = {"REFERRALS_PAGE_SIZE": "2"}
    with started_portal(infra, ["directory", "referral"], env, portal_env) as running:
        yield Portal(*running)


def refer(portal: Portal, who: dict[str, Any], ref: str, **overrides: Any) -> dict[str, Any]:
    """A referral sent with the person's own token, as the portal would send it for her."""
    org = who.get("organization_id", SITE)
    token = portal.net.token(
        org, Role.CLINIC, person=(who["id"], PersonRole(who["role"]), "portal")
    )
    made = httpx.post(
        f"{portal.net.url('referral')}/v1/referrals",
        json=body(patient_ref=ref, **overrides),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid4())},
    )
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


def rows(page: Any) -> list[str]:
    return page.eval_on_selector_all("tbody tr th a", "as => as.map(a => a.textContent.trim())")


def test_the_site_lists_filters_pages_opens_and_exports_its_referrals(
    portal: Portal, browser: Any
) -> None:
    coordinator = portal.person(SITE, "site_coordinator", "coord-list@riverside-ob.example.org")
    ma = portal.person(SITE, "ma", "ma-list@riverside-ob.example.org")
    outsider = portal.person(OTHER_SITE, "ma", "ma-list@cedar-heights.example.org")
    first = refer(portal, ma, "pt-web-1")
    refer(portal, ma, "pt-web-2", urgency="urgent")
    refer(portal, coordinator, "pt-web-3")
    theirs = refer(portal, outsider | {"organization_id": OTHER_SITE}, "pt-web-other")
    practice = portal.net.auth(PRACTICE, Role.PRACTICE)
    referral_api = portal.net.url("referral")
    acked = httpx.post(f"{referral_api}/v1/intake/{first['id']}/acknowledge", headers=practice)
    assert acked.status_code == 200, acked.text
    at = (datetime.now().astimezone() + timedelta(days=3)).isoformat()
    booked = httpx.post(
        f"{referral_api}/v1/intake/{first['id']}/schedule",
        json={"appointment_at": at, "modality": "telehealth"},
        headers=practice,
    )
    assert booked.status_code == 200, booked.text

    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.get_by_role("link", name="Referrals").first.click()
    page.wait_for_url("**/referrals")
    assert serious_violations(page) == []
    # Two to a page here (PORTAL_REFERRALS_PAGE_SIZE): the newest two, then the next link.
    assert rows(page) == ["pt-web-3", "pt-web-2"]
    page.get_by_role("link", name="Older referrals").click()
    page.wait_for_url("**/referrals?after=*")
    assert rows(page)[0] == "pt-web-1" and "pt-web-other" not in page.inner_text("main")
    assert serious_violations(page) == []

    page.get_by_label("Sent by").select_option(label=ma["email"])
    page.get_by_label("Patient reference").fill("pt-web-*")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url("**/referrals?*clinician=*")
    assert rows(page) == ["pt-web-2", "pt-web-1"]
    assert page.input_value("#clinician") == ma["id"], "what was chosen is kept"
    assert page.input_value("#patient") == "pt-web-*"
    page.get_by_label("Status").select_option("scheduled")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url("**/referrals?status=scheduled*")
    assert rows(page) == ["pt-web-1"]

    page.get_by_label("Patient reference").fill("pt web!")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_selector("#patient-error")
    assert "Enter a patient reference" in page.inner_text("#patient-error")
    assert page.input_value("#patient") == "pt web!" and page.input_value("#status") == "scheduled"
    assert page.get_attribute("#patient", "aria-invalid") == "true"
    assert page.locator("#csv").count() == 0, "no export of filters that were refused"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "referrals-filter-error.png"), full_page=True)
    assert serious_violations(page) == []

    page.get_by_label("Patient reference").fill("pt-web-*")
    page.get_by_label("Status").select_option("")
    page.get_by_label("Sent by").select_option("")
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url(lambda url: "status=&" in url)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download these referrals as CSV").click()
    download = downloading.value
    assert download.suggested_filename.startswith(f"referrals-{SITE}-")
    text = open(download.path(), encoding="utf-8").read()
    exported = list(csv.DictReader(io.StringIO(text)))
    assert [r["patient_ref"] for r in exported] == ["pt-web-3", "pt-web-2", "pt-web-1"]
    assert exported[2]["status"] == "scheduled" and exported[2]["first_appointment_at"]
    assert exported[2]["acknowledged_at"] and exported[1]["urgency"] == "urgent"
    for phi in (PATIENT["given_name"], PATIENT["family_name"], PATIENT["phone"]):
        assert phi not in text

    page.get_by_label("Patient reference").fill("pt-web-1")  # exact
    page.get_by_role("button", name="Show referrals").click()
    page.wait_for_url("**/referrals?*patient=pt-web-1")
    assert rows(page) == ["pt-web-1"]
    page.get_by_role("link", name="pt-web-1").click()
    page.wait_for_url(f"**/referrals/{first['id']}")
    assert page.inner_text("#status") == "Appointment booked"
    assert "telehealth" in page.inner_text("#appointment")
    steps = page.eval_on_selector_all(
        "table.timeline tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "referral.png"), full_page=True)
    assert [s[2] for s in steps] == [
        "Appointment booked",
        "The practice acknowledged it",
        "Referral sent",
    ], "newest first"
    assert steps[0][1] == PRACTICE and steps[2][1] == ma["email"]
    # Her messages' delivery: what went by which channel (the sink's mail), never its words.
    sent = page.eval_on_selector_all(
        "table.deliveries tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [(m[0], m[1]) for m in sent] == [
        ("Confirmation", "Email"),
        ("Has the practice reached you?", "Email"),
        ("Appointment", "Email"),
        ("Day-before reminder", "Email"),
    ]
    # Those due later wait for their time (the check, two business days on; the reminder).
    assert sent[1][2] == sent[3][2] == "Waiting to be sent"
    assert PATIENT["email"] not in page.inner_text("table.deliveries")
    assert PATIENT["given_name"] not in page.content()
    access = page.get_by_role("link", name="Who saw or changed this referral")
    assert access.get_attribute("href") == f"/referrals/{first['id']}/access"
    assert serious_violations(page) == []
    opened_by_her = referral_rows(
        portal,
        "SELECT record_type FROM audit_log WHERE record_id = $1 AND actor = $2",
        first["id"],
        f"person:{coordinator['id']}",
    )
    # The list, the referral and its timeline were read and audited, the appointment's sealed
    # logistics too; her own details are not shown there, so they were not opened.
    read = {r["record_type"] for r in opened_by_her}
    assert {"referral", "referral_appointment"} <= read
    assert "referral_patient" not in read

    ma_page = new_page(browser)
    sign_in(ma_page, portal, ma)
    ma_page.goto(f"{portal.url}/referrals/{first['id']}")
    assert ma_page.get_by_role("link", name="Who saw or changed this referral").count() == 0

    other = new_page(browser)
    sign_in(other, portal, outsider)
    for path in (f"/referrals/{first['id']}", f"/referrals/{first['id']}/for-patient"):
        response = other.goto(portal.url + path)
        assert response.status == 404
        assert "no such referral at your site" in other.inner_text("main")
        assert "pt-web-1" not in other.content()
    assert serious_violations(other) == []
    other.goto(f"{portal.url}/referrals")
    assert rows(other) == ["pt-web-other"]
    assert theirs["site_id"] == OTHER_SITE

    intake = portal.person(PRACTICE, "intake_coordinator", "intake-list@bloom.example.org")
    practice_page = new_page(browser)
    sign_in(practice_page, portal, intake)
    assert practice_page.get_by_role("link", name="Referrals").count() == 0
    response = practice_page.goto(f"{portal.url}/referrals")
    assert response.status == 403 and "referring site's people" in practice_page.inner_text("main")


def test_the_patient_panel_in_spanish_is_sent_to_her_once_on_a_double_click(
    portal: Portal, browser: Any, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    ma = portal.person(SITE, "ma", "ma-panel@riverside-ob.example.org")
    made = refer(portal, ma, "pt-web-es", language="es")
    page = new_page(browser)
    sign_in(page, portal, ma)
    page.goto(f"{portal.url}/referrals/{made['id']}")
    page.get_by_role("link", name="What she hears").click()
    page.wait_for_url(f"**/referrals/{made['id']}/for-patient")
    panel = page.locator("section.for-patient")
    assert panel.get_attribute("lang") == "es"
    text = panel.inner_text()
    assert "Qué pasa ahora" in text and "Bloom Perinatal Therapy" in text
    assert "dentro de 1 día hábil" in text and made["practice"]["intake_phone"] in text
    assert "988" in text and "1-833-852-6262" in text
    size = panel.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 24, f"large type for her to read: {size}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "patient-panel-es.png"), full_page=True)
    assert serious_violations(page) == []

    fields = page.eval_on_selector("form.send", "f => Object.fromEntries(new FormData(f))")
    page.get_by_role("button", name="Send to her phone").dblclick()
    page.wait_for_url("**/for-patient?sent=1")
    assert "Sent to her" in page.inner_text(".notice")
    # Chromium may fold a double click into one navigation: the form is also sent again as a
    # second click that got through would send it, with the same key.
    again = page.request.post(f"{portal.url}/referrals/{made['id']}/for-patient/send", form=fields)
    assert again.ok and "Sent to her" in again.text()
    assert serious_violations(page) == []
    for _ in range(150):  # the sender sends after commit: a moment later
        if len(_bodies(inbox)) >= 2:  # her confirmation at submission, then the panel
            break
        page.wait_for_timeout(100)
    panels = [b for b in _bodies(inbox) if not b.startswith("Hola:")]
    assert len(panels) == 1, _bodies(inbox)
    assert panels[0].startswith("Su equipo de atencion la ha referido a Bloom Perinatal Therapy.")
    assert "988" in panels[0] and "1-833-852-6262" in panels[0]
    assert PATIENT["notes"] not in panels[0]
    queued = referral_rows(
        portal,
        # The two-business-day check waits in the same queue: these two are sent now.
        "SELECT count(*) AS n FROM patient_notifications WHERE referral_id = $1 "
        "AND kind IN ('confirmation', 'panel')",
        UUID(made["id"]),
    )
    assert queued[0]["n"] == 2, "her confirmation and one panel: the double click sent once"
    page.goto(f"{portal.url}/referrals/{made['id']}")
    assert "What happens next was sent to her" in page.inner_text("table.timeline")


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _bodies(inbox: Inbox) -> list[str]:
    """What was sent to her address in Spanish."""
    return [
        m.get_payload(decode=True).decode()
        for to, m in inbox.messages
        if _subject(m) == SPANISH_SUBJECT and to == [PATIENT["email"]]
    ]
