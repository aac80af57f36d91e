"""Alerts in a real browser and through the real broker: a practice's intake coordinator
chooses her alerts at /alerts (a mistake is shown beside its field, with what she chose kept);
an urgent referral made through the referral API reaches the portal's consumer, ignores her
quiet hours and lands in `warmlink dev`'s mail sink naming the kind, the referring site and a
link, and nothing of the patient; her page then shows it sent. Every page is scanned with
axe-core."""

from __future__ import annotations

import mailbox
import time
from collections.abc import Iterator
from email.message import Message

import httpx
import pytest

from tests.e2e.portal_support import started_portal
from tests.e2e.test_e2e_portal import Portal, new_page, sign_in
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, SERVICE, body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure

SITE = "riverside-ob"


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    services = ["directory", "screening", "referral"]
    with started_portal(infra, services, mail_sink=True) as (net, url):
        yield Portal(net, url)


def _alert_mail(portal: Portal, to: str) -> Message:
    """The alert to `to` in the sink's Maildir, once the consumer and the sender have run."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        box = mailbox.Maildir(portal.net.stack.maildir, create=True)
        found = [m for m in box if m["To"] == to and "alert" in str(m["Subject"])]
        if found:
            assert len(found) == 1, "one alert, once"
            return found[0]
        time.sleep(0.2)
    raise AssertionError("the alert never reached the mail sink")


def test_she_chooses_her_alerts_and_an_urgent_referral_reaches_her_without_phi(
    portal: Portal, browser: object
) -> None:
    me = portal.person(PRACTICE, "intake_coordinator", email="intake-alerts@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.get_by_role("navigation").get_by_role("link", name="Alerts").click()
    page.wait_for_url("**/alerts")
    assert serious_violations(page) == []
    assert "No alerts yet." in page.inner_text("table")
    new_referral = page.get_by_role("group", name="New referral")
    assert new_referral.get_by_label("Email").is_checked(), "email until she chooses"

    # SMS without her number: refused beside the number, with what she chose kept.
    new_referral.get_by_label("SMS").check()
    page.get_by_label("From").fill("21:00")
    page.get_by_label("Until").fill("07:00")
    page.get_by_role("button", name="Save alert choices").click()
    page.wait_for_selector("#phone-error")
    assert "your work number" in page.inner_text("#phone-error")
    assert page.get_by_role("group", name="New referral").get_by_label("SMS").is_checked()
    assert page.input_value("#quiet_from") == "21:00"
    assert serious_violations(page) == []

    page.get_by_role("group", name="New referral").get_by_label("Email").check()
    page.get_by_role("button", name="Save alert choices").click()
    page.wait_for_url("**/alerts?saved=1")
    assert page.input_value("#quiet_until") == "07:00"
    assert serious_violations(page) == []

    # An urgent referral: it ignores her quiet hours, whatever the time is now in Chicago.
    auth = portal.net.auth(SITE) | {"Idempotency-Key": "alert-urgent-1"}
    made = httpx.post(
        f"{portal.net.url('referral')}/v1/referrals",
        json=body(practice_id=PRACTICE, service_id=SERVICE, urgency="urgent"),
        headers=auth,
        timeout=20,
    )
    assert made.status_code == 201, made.text
    referral_id = made.json()["id"]
    mail = _alert_mail(portal, me["email"])
    assert mail["Subject"] == f"Warmlink alert: Urgent: New referral from {SITE}"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode()
    assert f"{portal.url}/inbox/{referral_id}" in text
    whole = mail.as_string()
    for phi in PATIENT.values():
        assert phi not in whole, "no patient detail in an alert"

    page.goto(f"{portal.url}/alerts")
    row = page.locator("table").first.locator("tbody tr").first
    assert f"Urgent: New referral, {SITE}" in row.inner_text() and "Sent" in row.inner_text()
    assert serious_violations(page) == []
    page.goto(f"{portal.url}/dev/mailbox")
    assert f"New referral from {SITE}" in page.inner_text("main")


def test_the_network_admin_sees_failing_deliveries_and_a_clinician_no_kinds(
    portal: Portal, browser: object
) -> None:
    admin = portal.person("network-admin", "network_admin", email="alerts-admin@network.example")
    page = new_page(browser)
    sign_in(page, portal, admin)
    page.goto(f"{portal.url}/alerts")
    assert "Deliveries failing across the network" in page.inner_text("main")
    assert "No alert reaches your role yet" in page.inner_text("main")
    assert serious_violations(page) == []
    clinician = portal.person(PRACTICE, "clinician", email="clinician-alerts@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, clinician)
    page.goto(f"{portal.url}/alerts")
    assert "Deliveries failing across the network" not in page.inner_text("main")
