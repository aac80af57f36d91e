"""Her status page, end to end: the link from her Spanish confirmation opens in real Chromium
(tablet) in Spanish with her appointment and the crisis lines, an English one in English, both
axe-core clean, and no name or referral id on either; each opening is audited. An expired link
and a guessed one answer the same 404 page, naming no practice; a hammered one answers 429
with Retry-After."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Network
from tests.e2e.portal_support import new_page, started_portal
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import eventually
from warmlink.auth import Role

PRACTICE_NAME = "Bloom Perinatal Therapy"
PER_MINUTE = 30
TOKEN = re.compile(r"/s/([A-Za-z0-9_-]{22})")


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def portal(infra: Infrastructure, smtp: tuple[Inbox, int]) -> Iterator[tuple[Network, str]]:
    env = {"NOTIFY_CHANNEL": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp[1])}
    per_minute = {"STATUS_PAGE_PER_MINUTE": str(PER_MINUTE)}
    with started_portal(infra, ["directory", "referral"], env, per_minute) as started:
        yield started


def _query(net: Network, sql: str, *args: object) -> list[Any]:
    """The referral database, from these synchronous (Playwright) tests."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, net.query("referral", sql, *args)).result()


def _referral(net: Network, inbox: Inbox, language: str, email: str) -> tuple[str, str]:
    """A referral for her in `language`: its id and the token from her confirmation's link."""
    patient = {"given_name": "Rosa", "family_name": "Example", "email": email}
    created = httpx.post(
        net.url("referral") + "/v1/referrals",
        json=body(patient=patient, language=language),
        headers=net.auth(SITE) | {"Idempotency-Key": f"status-{email}"},
    )
    assert created.status_code == 201, created.text

    async def mail() -> list[str]:
        return [
            m.get_payload(decode=True).decode()
            for recipients, m in inbox.messages
            if recipients == [email]
        ]

    with ThreadPoolExecutor(1) as pool:
        texts = pool.submit(asyncio.run, eventually(mail, what="her confirmation")).result()
    found = TOKEN.search(texts[0])
    assert found, texts[0]
    return created.json()["id"], found.group(1)


def _practice(net: Network, rid: str, step: str, payload: Any = None) -> None:
    moved = httpx.post(
        net.url("referral") + f"/v1/intake/{rid}/{step}",
        json=payload,
        headers=net.auth(PRACTICE, Role.PRACTICE),
    )
    assert moved.status_code == 200, moved.text


def _open(browser: Any, url: str) -> Any:
    page = new_page(browser)
    page.goto(url)
    return page


def test_her_spanish_page_shows_her_appointment_in_spanish_and_nothing_of_hers(
    portal: tuple[Network, str], smtp: tuple[Inbox, int], browser: Any
) -> None:
    net, url = portal
    rid, token = _referral(net, smtp[0], "es-MX", "rosa.es@example.org")
    _practice(net, rid, "acknowledge")
    at = datetime(2031, 3, 4, 20, 30, tzinfo=UTC)  # a Tuesday, 2:30 pm in Chicago (CST)
    telehealth = "Entre al enlace que le enviaremos 10 minutos antes."
    _practice(
        net,
        rid,
        "schedule",
        {
            "appointment_at": at.isoformat(),
            "modality": "telehealth",
            "telehealth_instructions": telehealth,
            "clinician_name": "Dra. Luz Ortega",
        },
    )

    page = _open(browser, f"{url}/s/{token}")
    text = page.inner_text("main")
    assert page.get_attribute("html", "lang") == "es"
    assert page.title().startswith("Su referido")
    assert f"Referida a {PRACTICE_NAME}" in text
    assert "Su cita está programada." in text
    assert "martes 4 de marzo a las 14:30" in text
    assert "Dra. Luz Ortega" in text and telehealth in text
    assert "Llame o envíe un texto al 988" in text and "1-833-TLC-MAMA" in text
    html = page.content()
    assert "Rosa" not in html and "Example" not in html and rid not in html
    assert serious_violations(page) == []

    rows = _query(
        net,
        "SELECT actor, record_type, purpose FROM audit_log WHERE record_id = $1 "
        "AND actor = 'patient-status-link'",
        rid,
    )
    assert [(r["record_type"], r["purpose"]) for r in rows] == [("referral_status", "status_page")]


def test_an_english_page_says_where_it_stands_in_english(
    portal: tuple[Network, str], smtp: tuple[Inbox, int], browser: Any
) -> None:
    net, url = portal
    rid, token = _referral(net, smtp[0], "en", "rosa.en@example.org")

    page = _open(browser, f"{url}/s/{token}")
    text = page.inner_text("main")
    assert page.get_attribute("html", "lang") == "en"
    assert f"{PRACTICE_NAME} has your referral and will contact you soon." in text
    assert "Call or text 988" in text
    assert "Your appointment" not in text  # none is booked
    assert rid not in page.content()
    assert serious_violations(page) == []


def test_expired_and_guessed_links_read_the_same_and_name_no_practice(
    portal: tuple[Network, str], smtp: tuple[Inbox, int], browser: Any
) -> None:
    net, url = portal
    rid, token = _referral(net, smtp[0], "en", "rosa.expired@example.org")
    with httpx.Client(base_url=url) as client:
        assert client.get(f"/s/{token}").status_code == 200  # alive while it is open
        cancelled = httpx.post(
            net.url("referral") + f"/v1/referrals/{rid}/cancel",
            json={"reason": "patient_declined"},
            headers=net.auth(SITE),
        )
        assert cancelled.status_code == 200, cancelled.text
        assert client.get(f"/s/{token}").status_code == 200  # the loop has just closed
        # 31 days after the loop closed: the referral's last change moved back by that much.
        _query(
            net,
            "UPDATE referrals SET updated_at = updated_at - interval '31 days' WHERE id = $1",
            rid,
        )
        expired = client.get(f"/s/{token}")
        guessed = client.get(f"/s/{secrets.token_urlsafe(16)}")
        malformed = client.get("/s/not%20a%20token")
    assert [r.status_code for r in (expired, guessed, malformed)] == [404, 404, 404]
    assert expired.text == guessed.text == malformed.text
    assert PRACTICE_NAME not in expired.text and "Bloom" not in expired.text
    assert "This page is not available" in expired.text and "988" in expired.text

    page = _open(browser, f"{url}/s/{token}")
    assert serious_violations(page) == []


def test_a_hammered_link_is_told_to_wait_and_shown_nothing(
    portal: tuple[Network, str], smtp: tuple[Inbox, int]
) -> None:
    net, url = portal
    _, token = _referral(net, smtp[0], "en", "rosa.hammer@example.org")
    with httpx.Client(base_url=url) as client:
        answers = [client.get(f"/s/{token}") for _ in range(PER_MINUTE + 1)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 200
    first_refused = codes.index(429)
    assert set(codes[first_refused:]) == {429} and set(codes[:first_refused]) == {200}
    refused = answers[-1]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert PRACTICE_NAME not in refused.text and "Too many requests" in refused.text
