"""'Who saw or changed this referral' in a real browser: the referring site's coordinator reads
the log of a referral her clinician made in the portal, by the people's emails and roles; the
site's MA is told there is no such referral; the network administrator looks a referral up by its
id, by keyboard, and a mistyped id is shown beside the field, as typed. Every page is scanned
with axe-core at 768 px."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e import test_e2e_portal as portal_tests
from tests.e2e.test_e2e_portal import (
    NETWORK,
    SITE,
    Portal,
    new_page,
    screen,
    sign_in,
    walk_handoff,
)
from tests.support.browser import serious_violations
from warmlink.auth import Role

# The portal's network, started for this module as for the portal's own tests.
portal = portal_tests.portal


def fits_768(page: Any) -> bool:
    """Nothing is wider than the tablet's screen: no sideways scrolling."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= 768"))


def log_rows(page: Any, table: str = "#referral-log") -> list[list[str]]:
    return page.eval_on_selector_all(
        f"{table} tbody tr",
        "rs => rs.map(r => Array.from(r.children).map(c => c.innerText.trim()))",
    )


def test_the_sites_coordinator_sees_who_read_and_changed_her_sites_referral(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-access-1", urgent=False)
    clinician = portal.person(SITE, "clinician", email="access-clinician@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, clinician)
    rid = walk_handoff(page, portal, sid, "pt-access-1", call=False).referral_id
    referral = portal.net.url("referral")
    made = httpx.get(f"{referral}/v1/referrals/{rid}", headers=portal.net.auth(SITE)).json()
    practice_id = made["practice"]["id"]
    acknowledged = httpx.post(
        f"{referral}/v1/intake/{rid}/acknowledge",
        headers=portal.net.auth(practice_id, Role.PRACTICE),
    )
    assert acknowledged.status_code == 200, acknowledged.text

    coordinator = portal.person(SITE, "site_coordinator")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    response = page.goto(f"{portal.url}/referrals/{rid}/access")
    assert response.status == 200
    assert page.inner_text("h1") == "Who saw or changed this referral"
    assert serious_violations(page) == []
    assert fits_768(page)
    rows = log_rows(page)
    by_her = [r for r in rows if r[1] == clinician["email"]]
    assert ["riverside-ob", "clinician", "Wrote her name and contact details"] in [
        r[2:] for r in by_her
    ]
    assert ["riverside-ob", "clinician", "Changed the referral: submit"] in [r[2:] for r in by_her]
    # On her way to the handoff she opened the screen's worklist item.
    assert ["riverside-ob", "clinician", "Read the worklist item"] in [r[2:] for r in by_her]
    practice = [r for r in rows if r[4] == "Changed the referral: acknowledge"]
    assert [r[1:4] for r in practice] == [
        [f"{practice_id}:practice (a system, not a person)", practice_id, "practice"]
    ]
    assert rows.index(practice[0]) < rows.index(by_her[-1]), "newest first"
    # The screen it answers, from the screening service: recorded by the site's EHR.
    screen_rows = log_rows(page, "#screen-log")
    ehr = "riverside-ob:clinic (a system, not a person)"
    assert [r[1:] for r in screen_rows] == [
        [ehr, "riverside-ob", "clinic", "Wrote the screen's answers and result"]
    ]
    assert "pt-access-1" not in page.inner_text("main"), "the log shows no patient data"
    assert page.locator("details.lookup-another").count() == 0, "the lookup is the network's"

    ma = portal.person(SITE, "ma")
    page = new_page(browser)
    sign_in(page, portal, ma)
    refused = page.goto(f"{portal.url}/referrals/{rid}/access")
    assert refused.status == 404
    assert "no such referral" in page.inner_text("main")
    assert clinician["email"] not in page.content()
    assert serious_violations(page) == []


def test_the_network_administrator_looks_a_referral_up_by_keyboard(
    portal: Portal, browser: Any
) -> None:
    sid = screen(portal, "pt-access-2", urgent=False)
    clinician = portal.person(SITE, "clinician", email="access-lookup@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, clinician)
    rid = walk_handoff(page, portal, sid, "pt-access-2", call=False).referral_id

    admin = portal.person(NETWORK, "network_admin")
    page = new_page(browser)
    sign_in(page, portal, admin)
    page.get_by_role("link", name="Who saw or changed a referral").click()
    page.wait_for_url("**/referral-access")
    assert serious_violations(page) == []
    page.get_by_label("Referral id").focus()
    page.keyboard.type("not-an-id")
    page.keyboard.press("Enter")
    page.wait_for_selector("#referral_id-error")
    assert "Enter the referral's id" in page.inner_text("#referral_id-error")
    assert page.input_value("#referral_id") == "not-an-id", "what she typed is kept"
    assert page.get_attribute("#referral_id", "aria-describedby") == "referral_id-error"
    assert serious_violations(page) == []
    page.get_by_label("Referral id").fill("")
    page.get_by_label("Referral id").focus()
    page.keyboard.type(rid)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/referrals/{rid}/access")
    assert clinician["email"] in [r[1] for r in log_rows(page)]
    assert page.locator("details.lookup-another").count() == 1
    assert serious_violations(page) == []
    assert fits_768(page)
