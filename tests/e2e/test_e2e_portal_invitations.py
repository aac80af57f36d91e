"""Invitations in a real browser (Debian's chromium through Playwright), with the development
stack's real mail sink: a site coordinator invites a new colleague; the development mailbox
shows the mail; its link opens the accept page, where she chooses a password, enrols her
authenticator app and confirms with a code; then she signs in. A used link, an expired one and a
revoked one each say so, and a resent invitation mails a new link. Every new page is scanned
with axe-core."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pyotp
import pytest

from tests.e2e.portal_support import TABLET, started_portal
from tests.e2e.test_e2e_portal import Portal, sign_in
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure

SITE, NETWORK = "maple-pediatrics", "network-admin"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    portal_env = {"MAIL_POLL_S": "0.5"}
    with started_portal(infra, ["directory"], portal_env=portal_env, mail_sink=True) as running:
        yield Portal(*running)


def invite(page: Any, portal: Portal, email: str, role: str) -> None:
    page.goto(f"{portal.url}/people")
    page.get_by_label("Their work email").fill(email)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url("**/people?done=invited")


def open_mailed_link(page: Any, portal: Portal, email: str, not_this: str = "") -> str:
    """From the development mailbox: the newest message to `email` whose link is not
    `not_this`, opened; returns the link. Waits (with a deadline) for the sender."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.goto(f"{portal.url}/dev/mailbox")
        row = page.locator("tbody tr", has_text=email)
        if row.count():
            row.first.get_by_role("link").click()
            link = page.locator("pre.mail a").first
            href: str = link.get_attribute("href")
            if href != not_this:
                link.click()
                return href
        time.sleep(0.3)
    raise AssertionError(f"no invitation mail to {email}")


def test_invited_by_email_she_sets_a_password_and_totp_then_signs_in(
    portal: Portal, browser: Any
) -> None:
    coordinator = portal.person(SITE, "site_coordinator")
    page = browser.new_context(viewport=TABLET).new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, portal, coordinator)
    page.get_by_role("link", name="People").first.click()
    page.wait_for_url("**/people")
    scan = serious_violations(page)

    # A malformed address is refused beside the field, and what she typed is kept.
    page.get_by_label("Their work email").fill("new.nurse at maple")
    page.get_by_label("Role").select_option("nurse_social_worker")
    page.get_by_role("button", name="Send invitation").click()
    assert "Enter an email address" in page.inner_text("#email-error")
    assert page.input_value("#email") == "new.nurse at maple"
    assert page.input_value("#role") == "nurse_social_worker"
    scan += serious_violations(page)

    email = "new.nurse@maple-pediatrics.example.org"
    invite(page, portal, email, "nurse_social_worker")
    assert "Invitation sent." in page.inner_text("main")
    assert email in page.inner_text("table:has(caption:text('not yet accepted'))")
    scan += serious_violations(page)
    (stored,) = portal.query("SELECT * FROM invitations WHERE email = $1", email)
    assert str(stored["invited_by"]) == coordinator["id"] and len(stored["token_sha256"]) == 32

    # On her own device: what the mail sink received, on the development mailbox; its link
    # opens the accept page.
    page = browser.new_context(viewport=TABLET).new_page()
    page.on("request", lambda r: requested.append(r.url))
    link = open_mailed_link(page, portal, email)
    assert link.startswith(f"{portal.url}/invitations/")
    assert bytes(stored["token_sha256"]) != link.rsplit("/", 1)[1].encode()
    page.wait_for_url(link)
    page.goto(f"{portal.url}/dev/mailbox")
    scan += serious_violations(page)
    page.get_by_role("link", name="You are invited to Warmlink").first.click()
    body = page.inner_text("pre.mail")
    assert "maple-pediatrics" in body and "patient" not in body.lower()
    scan += serious_violations(page)
    page.goto(link)
    assert "Accept your invitation" in page.inner_text("h1")
    assert page.locator("figure.qr svg").count() == 1, "the QR code is drawn inline"
    secret = page.inner_text("#totp-secret")
    assert page.get_attribute("#otpauth", "href").startswith("otpauth://totp/Warmlink:")
    scan += serious_violations(page)

    # Mistakes are said beside each field.
    page.get_by_label("Password (at least 12").fill("too short")
    page.get_by_label("The same password again").fill("too short")
    page.get_by_label("6-digit code").fill("12345")
    page.get_by_role("button", name="Activate my account").click()
    assert "6-digit code" in page.inner_text("#code-error")
    page.get_by_label("Password (at least 12").fill("too short")
    page.get_by_label("The same password again").fill("too short")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate my account").click()
    assert "at least 12 characters" in page.inner_text("#password-error")
    scan += serious_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-accept-invitation.png"), full_page=True)

    page.get_by_label("Password (at least 12").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate my account").click()
    page.wait_for_url("**/sign-in?ended=accepted")
    assert "Your account is ready" in page.inner_text("main")

    sign_in(page, portal, {"email": email, "password": PASSWORD, "totp_secret": secret})
    assert email in page.inner_text("header")
    (person,) = portal.query("SELECT id, role, organization_id FROM people WHERE email = $1", email)
    assert (person["role"], person["organization_id"]) == ("nurse_social_worker", SITE)

    # The link worked once.
    response = page.goto(link)
    assert response.status == 410
    assert "already used" in page.inner_text("main")
    scan += serious_violations(page)
    assert scan == [], scan
    assert {r.split("/")[2] for r in requested} == {f"127.0.0.1:{portal.url.rsplit(':', 1)[1]}"}


def test_expired_revoked_and_resent_invitations(portal: Portal, browser: Any) -> None:
    coordinator = portal.person(
        SITE, "site_coordinator", email="coord2@maple-pediatrics.example.org"
    )
    page = browser.new_context(viewport=TABLET).new_page()
    sign_in(page, portal, coordinator)

    late = "late.ma@maple-pediatrics.example.org"
    invite(page, portal, late, "ma")
    old_link = open_mailed_link(page, portal, late)
    # Seventy-two hours later, told to the database rather than waited for.
    portal.query(
        "UPDATE invitations SET expires_at = now() - interval '1 second' WHERE email = $1", late
    )
    response = page.goto(old_link)
    assert response.status == 410 and "has expired" in page.inner_text("main")
    assert serious_violations(page) == []

    # Her administrator sees it expired and sends it again: a new link, the old one dead.
    page.goto(f"{portal.url}/people")
    row = page.locator("tr", has_text=late)
    assert "Expired" in row.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-people-invitations.png"), full_page=True)
    page.get_by_role("button", name=f"Resend the invitation to {late}").click()
    page.wait_for_url("**/people?done=resent")
    new_link = open_mailed_link(page, portal, late, not_this=old_link)
    assert new_link != old_link
    assert "Accept your invitation" in page.inner_text("h1")
    # Accepted on the administrator's own browser: she stays signed in, and is told how on.
    secret = page.inner_text("#totp-secret")
    page.get_by_label("Password (at least 12").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate my account").click()
    assert f"Sign out, then sign in as {late}" in page.inner_text("main")
    assert coordinator["email"] in page.inner_text("header")
    assert page.goto(old_link).status == 404

    gone = "gone.clinician@maple-pediatrics.example.org"
    invite(page, portal, gone, "clinician")
    gone_link = open_mailed_link(page, portal, gone)
    page.goto(f"{portal.url}/people")
    page.get_by_role("button", name=f"Revoke the invitation to {gone}").click()
    page.wait_for_url("**/people?done=revoked")
    assert gone not in page.inner_text("main"), "no longer pending"
    response = page.goto(gone_link)
    assert response.status == 410 and "withdrawn" in page.inner_text("main")

    # Each of her administrative acts is in the portal's audit log under her name.
    invited = portal.query(
        "SELECT email, id::text FROM invitations WHERE email = ANY($1::text[])", [late, gone]
    )
    late_id, gone_id = (next(i for e, i in invited if e == who) for who in (late, gone))
    acts = portal.query(
        "SELECT purpose, record_type, record_id, person_role FROM audit_log "
        "WHERE action = 'admin' AND actor = $1 ORDER BY id",
        f"person:{coordinator['id']}",
    )
    assert [tuple(a) for a in acts] == [
        ("invite", "invitation", late_id, "site_coordinator"),
        ("resend_invitation", "invitation", late_id, "site_coordinator"),
        ("invite", "invitation", gone_id, "site_coordinator"),
        ("revoke_invitation", "invitation", gone_id, "site_coordinator"),
    ]


def test_the_mailbox_shows_a_message_s_html_as_text(portal: Portal, browser: Any) -> None:
    message = EmailMessage()
    message["From"], message["To"] = "noreply@warmlink.example", "dev@warmlink.example"
    message["Subject"] = "<b>Markup</b> in a subject"
    message.set_content("<p id='injected'>hi</p><script>alert(1)</script>", subtype="html")
    port = portal.net.stack.mail_port
    with smtplib.SMTP("127.0.0.1", port) as relay:  # pytest-asyncio's loop runs: no asyncio.run
        relay.send_message(message)
    page = browser.new_context(viewport=TABLET).new_page()
    page.goto(f"{portal.url}/dev/mailbox")
    page.get_by_role("link", name="<b>Markup</b> in a subject").click()
    assert "<script>alert(1)</script>" in page.inner_text("pre.mail")
    assert page.locator("#injected, pre.mail script, h1 b").count() == 0
