"""The message thread between a referral's referring site and its practice, in a real browser
at a tablet's size, with the development stack's real mail sink: the site writes (an oversize
message is refused beside the field with what she typed kept), the practice's intake coordinator
is mailed that a message is waiting (no name, no text: only a link to sign in), follows the link,
reads and answers; the site's coordinator and the clinician who made the referral are mailed in
turn, and the site reads the answer newest last. A replayed form sends and mails nothing more.
Every page is scanned with axe-core."""

from __future__ import annotations

import mailbox
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.portal.domain.thread import MAIL_SUBJECT
from tests.e2e.portal_support import TABLET, new_page, started_portal
from tests.e2e.test_e2e_portal import Portal, sign_in
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, SITE, body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from warmlink.auth import PersonRole, Role

QUESTION = "Marisol can only come after 5 pm; her baby is still in the NICU. Is Thursday possible?"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ANSWER = "Thursday 5:30 pm works: we will call her tomorrow morning to confirm."


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    env = {"MAIL_POLL_S": "0.5"}
    with started_portal(
        infra, ["directory", "referral"], portal_env=env, mail_sink=True
    ) as running:
        yield Portal(*running)


def referral_made_by(portal: Portal, maker: dict[str, Any], key: str) -> str:
    """A referral the site's clinician made herself (her person token, as the portal sends)."""
    who = (maker["id"], PersonRole.CLINICIAN, "portal-client-test")
    token = portal.net.token(SITE, Role.CLINIC, person=who)
    made = httpx.post(
        f"{portal.net.url('referral')}/v1/referrals",
        json=body(patient_ref=f"pt-{key}"),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def raw_mails(portal: Portal, to: str) -> list[bytes]:
    """The thread's mails the sink received for `to`, as sent (headers and body). The practice's
    intake coordinator is also alerted to the new referral itself: that mail is not counted."""
    found = []
    for message in mailbox.Maildir(portal.net.stack.maildir, create=False):
        if to in str(message["To"]) and str(message["Subject"]) == MAIL_SUBJECT:
            found.append(message.as_bytes())
    return found


def wait_for_mails(portal: Portal, to: str, count: int) -> list[bytes]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = raw_mails(portal, to)
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to}")


def no_phi(raw: bytes, *texts: str) -> None:
    for text in (*texts, PATIENT["given_name"], PATIENT["family_name"], PATIENT["phone"]):
        assert text.encode() not in raw, f"{text!r} is in the mail"


def test_site_and_practice_write_both_ways_and_the_mail_says_only_that_one_waits(
    portal: Portal, browser: Any
) -> None:
    maker = portal.person(SITE, "clinician", email="maker@riverside.example.org")
    nurse = portal.person(SITE, "nurse_social_worker", email="nurse@riverside.example.org")
    coordinator = portal.person(SITE, "site_coordinator", email="coord@riverside.example.org")
    intake = portal.person(PRACTICE, "intake_coordinator", email="intake@bloom.example.org")
    practice_clinician = portal.person(PRACTICE, "clinician", email="doc@bloom.example.org")
    rid = referral_made_by(portal, maker, "thread-web-1")

    # The site's nurse writes, from the referral's page.
    page = new_page(browser)
    assert page.viewport_size == TABLET
    sign_in(page, portal, nurse)
    page.goto(f"{portal.url}/referrals/{rid}")
    page.get_by_role("link", name="Messages").click()
    page.wait_for_url(f"**/referrals/{rid}/messages")
    scan = serious_violations(page)
    assert "No messages yet." in page.inner_text("main")
    oversize = "x" * 2001
    page.get_by_label("Your message").fill(oversize)
    page.get_by_role("button", name="Send the message").click()
    page.wait_for_selector("#text-error")
    assert "at most 2000 characters" in page.inner_text("#text-error")
    assert page.input_value("#text") == oversize, "what she typed is kept"
    scan += serious_violations(page)
    page.get_by_label("Your message").fill(QUESTION)
    page.get_by_role("button", name="Send the message").click()
    page.wait_for_url(f"**/referrals/{rid}/messages?sent=1#latest")
    assert QUESTION in page.inner_text("#latest")
    assert nurse["email"] in page.inner_text("#latest"), "her own organization by email"
    scan += serious_violations(page)

    # The practice's intake coordinator is mailed: a link, nothing about her or the message.
    (raw,) = wait_for_mails(portal, intake["email"], 1)
    no_phi(raw, QUESTION, "NICU")
    assert f"/referrals/{rid}/messages".encode() in raw
    assert raw_mails(portal, practice_clinician["email"]) == [], "a clinician is not told"

    practice = new_page(browser)
    sign_in(practice, portal, intake)
    practice.goto(f"{portal.url}/dev/mailbox")
    practice.locator("tbody tr", has_text=intake["email"]).filter(
        has_text=MAIL_SUBJECT
    ).first.get_by_role("link").click()
    assert QUESTION not in practice.inner_text("pre.mail")
    practice.locator("pre.mail a").first.click()
    practice.wait_for_url(f"**/referrals/{rid}/messages")
    assert QUESTION in practice.inner_text("ol.thread")
    assert f"The referring site ({SITE})" in practice.inner_text("ol.thread")
    scan += serious_violations(practice)
    practice.get_by_label("Your message").fill(ANSWER)
    practice.get_by_role("button", name="Send the message").click()
    practice.wait_for_url(f"**/referrals/{rid}/messages?sent=1#latest")

    # The site's coordinator and the clinician who made the referral are told; the nurse is not.
    for person in (coordinator, maker):
        (raw,) = wait_for_mails(portal, person["email"], 1)
        no_phi(raw, ANSWER, QUESTION, "Thursday")
    assert raw_mails(portal, nurse["email"]) == []

    page.goto(f"{portal.url}/referrals/{rid}/messages")
    said = page.locator("ol.thread > li").all_inner_texts()
    assert [QUESTION in said[0], ANSWER in said[1]] == [True, True], "newest last"
    assert f"The practice ({PRACTICE})" in said[1]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-thread.png"), full_page=True)
    scan += serious_violations(page)
    page.goto(f"{portal.url}/referrals/{rid}")
    assert page.get_by_role("link", name="Messages").count() == 1
    assert scan == [], scan


def test_a_replayed_form_sends_and_mails_nothing_more(portal: Portal, browser: Any) -> None:
    maker = portal.person(SITE, "clinician", email="maker2@riverside.example.org")
    intake = portal.person(PRACTICE, "intake_coordinator", email="intake2@bloom.example.org")
    rid = referral_made_by(portal, maker, "thread-web-2")
    page = new_page(browser)
    sign_in(page, portal, maker)
    page.goto(f"{portal.url}/referrals/{rid}/messages")
    form = {
        "csrf_token": page.input_value("form.card input[name=csrf_token]"),
        "idempotency_key": page.input_value("input[name=idempotency_key]"),
        "text": "Please call her on her mobile only.",
    }
    mails = "SELECT count(*) AS n FROM outgoing_mail WHERE kind = 'referral_message'"
    before = portal.query(mails)[0]["n"]
    for _ in range(2):  # a double click
        sent = page.request.post(f"{portal.url}/referrals/{rid}/messages", form=form)
        assert sent.status == 200 and "?sent=1" in sent.url
    page.goto(f"{portal.url}/referrals/{rid}/messages")
    assert page.locator("ol.thread > li").count() == 1
    wait_for_mails(portal, intake["email"], 1)
    # One mail per intake coordinator of the practice (this module made two), once.
    coordinators = portal.query(
        "SELECT count(*) AS n FROM people WHERE organization_id = $1 AND role = $2",
        PRACTICE,
        "intake_coordinator",
    )
    assert portal.query(mails)[0]["n"] - before == coordinators[0]["n"] == 2
    assert len(raw_mails(portal, intake["email"])) == 1


def test_a_third_organization_finds_no_such_referral(portal: Portal, browser: Any) -> None:
    maker = portal.person(SITE, "clinician", email="maker3@riverside.example.org")
    rid = referral_made_by(portal, maker, "thread-web-3")
    stranger = portal.person(
        "northside-cmhc", "intake_coordinator", email="x@northside.example.org"
    )
    page = new_page(browser)
    sign_in(page, portal, stranger)
    response = page.goto(f"{portal.url}/referrals/{rid}/messages")
    assert response.status == 404 and "no such referral" in page.inner_text("main")
