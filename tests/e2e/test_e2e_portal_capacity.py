"""Capacity in one click, in a real browser at a tablet's size: a practice's intake coordinator
opens Capacity, sees each service's figures in words, and "Still right" sends them back so the
directory stamps them verified now, by her; a change with a value that is not a number is
refused beside the field with what she typed kept, and nothing reaches the directory; a valid
change does. A clinician of the practice reads the figures with no button. Every page is scanned
with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.portal_support import TABLET, new_page, started_portal
from tests.e2e.test_e2e_portal import Portal, sign_in
from tests.support.browser import serious_violations
from tests.support.infra import Infrastructure
from warmlink.auth import Role

PRACTICE = "bloom-therapy"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Far from any wall clock: the form refuses a next intake before today.
NEXT_INTAKE, LATER_INTAKE = date(2031, 5, 13), date(2031, 6, 3)


@pytest.fixture(scope="module")
def portal(infra: Infrastructure) -> Iterator[Portal]:
    with started_portal(infra, ["directory"]) as running:
        yield Portal(*running)


def listing(portal: Portal) -> dict[str, Any]:
    found = httpx.get(
        f"{portal.net.url('directory')}/v1/organizations/{PRACTICE}/listing",
        headers=portal.net.auth(PRACTICE, Role.PRACTICE),
    )
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


def capacity_of(portal: Portal, service_id: str) -> dict[str, Any]:
    (service,) = [s for s in listing(portal)["services"] if s["id"] == service_id]
    capacity: dict[str, Any] = service["capacity"]
    return capacity


def set_figures(portal: Portal, service_id: str, available: int) -> None:
    """The practice's own system sets known figures first (the page reads what it finds)."""
    body = {
        "available": available,
        "maximum": 8,
        "next_available_intake": NEXT_INTAKE.isoformat(),
        "accepting_new_patients": True,
        "waitlist_length": 1,
    }
    put = httpx.put(
        f"{portal.net.url('directory')}/v1/services/{service_id}/capacity",
        json=body,
        headers=portal.net.auth(PRACTICE, Role.PRACTICE),
    )
    assert put.status_code == 204, put.text


def day(on: date) -> str:
    return f"{on:%A} {on.day} {on:%b}"


def test_still_right_in_one_click_and_a_refused_change_keeps_what_she_typed(
    portal: Portal, browser: Any
) -> None:
    sid = listing(portal)["services"][0]["id"]
    set_figures(portal, sid, 3)
    coordinator = portal.person(PRACTICE, "intake_coordinator", email="intake@bloom.example.org")
    page = new_page(browser)
    assert page.viewport_size == TABLET
    sign_in(page, portal, coordinator)
    page.get_by_role("navigation").get_by_role("link", name="Capacity").click()
    page.wait_for_url("**/capacity")
    scan = serious_violations(page)
    section = page.locator("section.capacity", has=page.locator(f"#capacity-{sid}"))
    said = section.locator(f"#capacity-{sid}").inner_text()
    assert f"Still 3 open, next intake {day(NEXT_INTAKE)}" in said
    assert "Confirmed" in said and "stale in" in said

    # One click: the same figures, verified again, by her.
    before = capacity_of(portal, sid)
    section.get_by_role("button", name="Still right").click()
    page.wait_for_url("**/capacity?done=confirmed")
    assert "Confirmed" in page.inner_text("[role=status]")
    after = capacity_of(portal, sid)
    assert after["verified_at"] > before["verified_at"]
    assert after["verified_by"] == f"person:{coordinator['id']}"
    figures = ("available", "maximum", "next_available_intake", "waitlist_length")
    assert [after[k] for k in figures] == [before[k] for k in figures]
    scan += serious_violations(page)

    # Not a number: said beside the field, what she typed kept, nothing sent.
    section.get_by_label("Open places").fill("twelve")
    section.get_by_role("button", name="Save the new figures").click()
    page.wait_for_selector(f"#{sid}-available-error")
    assert "number of open places" in page.inner_text(f"#{sid}-available-error")
    assert page.input_value(f"#{sid}-available") == "twelve"
    assert page.get_attribute(f"#{sid}-available", "aria-invalid") == "true"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-capacity.png"), full_page=True)
    assert capacity_of(portal, sid) == after, "the directory was not asked"
    scan += serious_violations(page)

    section.get_by_label("Open places").fill("5")
    section.get_by_label("Next intake").fill(LATER_INTAKE.isoformat())
    section.get_by_role("button", name="Save the new figures").click()
    page.wait_for_url("**/capacity?done=changed")
    changed = capacity_of(portal, sid)
    assert (changed["available"], changed["next_available_intake"]) == (
        5,
        LATER_INTAKE.isoformat(),
    )
    assert changed["maximum"] == 8 and changed["waitlist_length"] == 1, "the rest is kept"
    said = page.inner_text(f"#capacity-{sid}")
    assert f"Still 5 open, next intake {day(LATER_INTAKE)}" in said
    scan += serious_violations(page)
    assert scan == [], scan


def test_a_clinician_reads_the_figures_and_cannot_confirm_them(
    portal: Portal, browser: Any
) -> None:
    sid = listing(portal)["services"][0]["id"]
    clinician = portal.person(PRACTICE, "clinician", email="clinician@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, clinician)
    page.goto(f"{portal.url}/capacity")
    assert "open" in page.inner_text(f"#capacity-{sid}")
    assert page.get_by_role("button", name="Still right").count() == 0
    assert serious_violations(page) == []
    csrf = page.locator("form.sign-out input[name=csrf_token]").input_value()
    before = capacity_of(portal, sid)
    refused = page.request.post(
        f"{portal.url}/capacity/{sid}/confirm", form={"csrf_token": csrf, "back": "/capacity"}
    )
    assert refused.status == 403
    assert capacity_of(portal, sid) == before


def test_a_form_from_elsewhere_goes_back_there_and_never_off_the_portal(
    portal: Portal, browser: Any
) -> None:
    sid = listing(portal)["services"][0]["id"]
    coordinator = portal.person(PRACTICE, "intake_coordinator", email="back@bloom.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.goto(f"{portal.url}/capacity")
    csrf = page.locator("form.sign-out input[name=csrf_token]").input_value()
    for back, went in (("/inbox", "/inbox"), ("https://evil.example/", "/capacity?done=confirmed")):
        answer = page.request.post(
            f"{portal.url}/capacity/{sid}/confirm",
            form={"csrf_token": csrf, "back": back},
            max_redirects=0,
        )
        assert answer.status == 303 and answer.headers["location"] == went
    other = page.request.post(
        f"{portal.url}/capacity/northside-cmhc-therapy/confirm",
        form={"csrf_token": csrf, "back": "/capacity"},
    )
    assert other.status == 404, "another practice's service is not hers to confirm"
