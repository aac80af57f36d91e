"""The referring site's flow in a real browser, issue 15 steps 2 to 4: the site coordinator
chooses the site's referral partners from the directory (a nav link for her only), its matches
show a fitting partner first marked "Preferred partner" with reasons, expected days and the
options usable without insurance; the handoff form asks only the fields the site's kind needs;
and the barriers asked before she leaves reach the practice with the referral. Every page is
scanned with axe-core."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e import test_e2e_portal as base
from tests.e2e.test_e2e_portal import Portal, new_page, referral_rows, screen, sign_in
from tests.support.browser import serious_violations
from warmlink.auth import Role

portal = base.portal  # the portal test's network, for this module too
SITE = "cedar-heights-obgyn"
# A practice usable without insurance in the demo region, taken as the site's partner.
PARTNER, PARTNER_NAME = "lantern-telehealth", "Lantern Sliding-Scale Telehealth"
# A partner that takes insurance plans only: it does not fit a patient without insurance.
PLANS_ONLY, PLANS_ONLY_NAME = "bloom-therapy", "Bloom Perinatal Therapy"


def test_the_site_coordinator_chooses_partners_and_matches_show_them_first(
    portal: Portal, browser: object
) -> None:
    coordinator = portal.person(SITE, "site_coordinator", email="partners@cedar.example.org")
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    # One interaction per practice, and the nav link and Save.
    page.get_by_role("navigation").get_by_role("link", name="Partners").click()
    page.wait_for_url("**/partners")
    assert serious_violations(page) == []
    names = page.locator("fieldset label").all_inner_texts()
    assert PARTNER_NAME in " ".join(names) and "Riverside" not in " ".join(names)
    page.get_by_label(PARTNER_NAME).check()
    page.get_by_label(PLANS_ONLY_NAME).check()
    page.get_by_role("button", name="Save partners").click()
    page.wait_for_url("**/partners?saved=1")
    assert page.get_by_label(PARTNER_NAME).is_checked()
    listed = [t.strip() for t in page.locator("fieldset .choice label").all_inner_texts()]
    assert set(listed[:2]) == {PARTNER_NAME, PLANS_ONLY_NAME}, "partners are listed first"
    assert serious_violations(page) == []
    kept = httpx.get(
        f"{portal.net.url('directory')}/v1/organizations/{SITE}/preferred-practices",
        headers=portal.net.auth(SITE),
    ).json()
    assert sorted(kept["practice_ids"]) == sorted([PARTNER, PLANS_ONLY])

    # Her site's matches: the partner first, marked, with its reasons and expected days.
    sid = screen(portal, "pt-partner-1", urgent=False, site=SITE)
    page.goto(f"{portal.url}/screens/{sid}")
    page.get_by_label("No insurance").check()
    page.get_by_role("button", name="Find practices").click()
    page.wait_for_url(f"**/screens/{sid}/matches?**")
    first = page.locator("li.match").first
    assert first.locator(".tag.partner").inner_text() == "Preferred partner"
    assert PARTNER_NAME in first.locator("h2").inner_text()
    assert first.locator(".reasons li").first.inner_text() == "Preferred partner of your site"
    assert "First appointment in about" in first.inner_text()
    assert "usable without insurance" in first.inner_text()
    assert page.locator("li.match .tag.partner").count() == 1, "the others are not partners"
    assert PLANS_ONLY_NAME not in page.inner_text("ol.matches")
    assert f"{PLANS_ONLY_NAME} (" in page.inner_text("ul.not-fitting")
    assert "not usable without insurance" in page.inner_text("ul.not-fitting")
    assert serious_violations(page) == []


def test_only_the_site_coordinator_has_the_partners_page(portal: Portal, browser: object) -> None:
    nurse = portal.person(SITE, "nurse_social_worker", email="nurse-partners@cedar.example.org")
    page = new_page(browser)
    sign_in(page, portal, nurse)
    assert page.get_by_role("navigation").get_by_role("link", name="Partners").count() == 0
    response = page.goto(f"{portal.url}/partners")
    assert response.status == 403 and "chosen by the site's coordinator" in page.inner_text("main")
    forged = page.request.post(f"{portal.url}/partners", form={"csrf_token": "forged"})
    assert forged.status == 403


HANDOFF = "practice_id=northside-cmhc&service_id=northside-cmhc-therapy&method=digital"
FIELDS = {
    "planned_discharge_at": "Planned discharge",
    "last_iop_session_on": "Date of her last IOP/PHP session",
    "infant_visit_ref": "The infant's visit reference",
}


@pytest.mark.parametrize(
    ("site", "asked"),
    [
        ("st-mary-ld", "planned_discharge_at"),
        ("harbor-iop", "last_iop_session_on"),
        ("maple-pediatrics", "infant_visit_ref"),
        ("riverside-ob", None),
    ],
)
def test_the_handoff_form_asks_only_what_the_sites_kind_needs(
    portal: Portal, browser: object, site: str, asked: str | None
) -> None:
    """The screen is recorded with the setting `ob` by each site's system: the site's kind in
    the directory decides the form."""
    sid = screen(portal, f"pt-kind-{site}", urgent=False, site=site)
    me = portal.person(site, "clinician", email=f"kind@{site}.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.goto(f"{portal.url}/screens/{sid}/handoff?{HANDOFF}&coverage=uninsured")
    shown = {name for name in FIELDS if page.locator(f"#{name}").count()}
    assert shown == ({asked} if asked else set())
    assert serious_violations(page) == []
    if asked != "infant_visit_ref":
        return
    # A pediatric office's referral carries the infant's visit and its setting.
    page.get_by_label("Her first name").fill("Rosa")
    page.get_by_label("Her last name").fill("Diaz")
    page.get_by_label("Best phone number").fill("312-555-0133")
    page.get_by_label("I read the number back").check()
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#infant_visit_ref-error")
    assert page.input_value("#given_name") == "Rosa", "what was typed is kept"
    page.get_by_label(FIELDS[asked]).fill("well-child-0412")
    page.get_by_label("She agrees to this referral").check()
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#referral-id")
    made = referral_rows(
        portal,
        "SELECT setting, infant_visit_ref FROM referrals WHERE patient_ref = $1",
        f"pt-kind-{site}",
    )
    assert [(r["setting"], r["infant_visit_ref"]) for r in made] == [
        ("pediatric", "well-child-0412")
    ]


def test_barriers_asked_before_she_leaves_reach_the_practice(
    portal: Portal, browser: object
) -> None:
    sid = screen(portal, "pt-barriers-web-1", urgent=False, site="riverside-ob")
    me = portal.person("riverside-ob", "ma", email="barriers@riverside-ob.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.goto(f"{portal.url}/screens/{sid}/handoff?{HANDOFF}&coverage=uninsured")
    page.get_by_label("Her first name").fill("Lucia")
    page.get_by_label("Her last name").fill("Moreno")
    page.get_by_label("Best phone number").fill("312-555-0175")
    page.get_by_label("I read the number back").check()
    page.get_by_label("Getting there").check()
    page.get_by_label("Childcare").check()
    page.locator("#voicemail_safe-no").check()
    page.locator("#text_safe-yes").check()
    page.get_by_role("button", name="Send the referral").click()  # consent not ticked
    page.wait_for_selector("#consent-error")
    assert page.is_checked("#barrier_transport") and page.is_checked("#barrier_childcare")
    assert page.is_checked("#voicemail_safe-no") and page.is_checked("#text_safe-yes")
    assert not page.is_checked("#barrier_cost"), "what she chose is kept, nothing more"
    assert serious_violations(page) == []
    page.get_by_label("She agrees to this referral").check()
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#referral-id")
    referral_id = page.inner_text("#referral-id")

    # The practice reads the referral (its inbox page is a later issue: its API here).
    read = httpx.get(
        f"{portal.net.url('referral')}/v1/referrals/{referral_id}",
        headers=portal.net.auth("northside-cmhc", Role.PRACTICE),
    )
    assert read.status_code == 200, read.text
    assert read.json()["barriers"] == ["transport", "childcare"]
    assert read.json()["patient"]["voicemail_safe"] is False
    assert read.json()["patient"]["text_safe"] is True


def test_an_iop_handoff_sends_the_discharge_summary_with_the_referral(
    portal: Portal, browser: object
) -> None:
    sid = screen(portal, "pt-iop-summary-1", urgent=False, site="harbor-iop")
    me = portal.person("harbor-iop", "nurse_social_worker", email="summary@harbor-iop.example.org")
    page = new_page(browser)
    sign_in(page, portal, me)
    page.goto(f"{portal.url}/screens/{sid}/handoff?{HANDOFF}&coverage=uninsured")
    page.get_by_label("Her first name").fill("Nadia")
    page.get_by_label("Her last name").fill("Ortiz")
    page.get_by_label("Best phone number").fill("312-555-0164")
    page.get_by_label("I read the number back").check()
    page.get_by_label(FIELDS["last_iop_session_on"]).fill("2026-12-18")
    page.get_by_label("She agrees to this referral").check()
    summary = page.get_by_label("Discharge summary (PDF or text)")
    binary = {"name": "summary.bin", "mimeType": "application/octet-stream", "buffer": b"\xff\x00"}
    summary.set_input_files(binary)
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#discharge_summary-error")
    assert "PDF or a text file" in page.inner_text("#discharge_summary-error")
    assert page.input_value("#last_iop_session_on") == "2026-12-18", "what was typed is kept"
    assert serious_violations(page) == []
    assert (
        referral_rows(portal, "SELECT id FROM referrals WHERE patient_ref = $1", "pt-iop-summary-1")
        == []
    ), "nothing was sent"

    text = b"Discharge summary: stepped down from IOP; continue weekly therapy."
    summary.set_input_files({"name": "summary.txt", "mimeType": "text/plain", "buffer": text})
    page.get_by_role("button", name="Send the referral").click()
    page.wait_for_selector("#referral-id")
    assert "discharge summary was sent" in page.inner_text("#summary-status")
    assert serious_violations(page) == []
    referral_id = page.inner_text("#referral-id")
    read = httpx.get(
        f"{portal.net.url('referral')}/v1/intake/{referral_id}/discharge-summary",
        headers=portal.net.auth("northside-cmhc", Role.PRACTICE),
    )
    assert read.status_code == 200, read.text
    assert read.content == text and read.headers["content-type"].startswith("text/plain")


def test_a_refused_save_says_why_keeps_her_ticks_and_changes_nothing(
    portal: Portal, browser: object
) -> None:
    coordinator = portal.person(
        "eastbrook-ob", "site_coordinator", email="refused@eastbrook.example.org"
    )
    page = new_page(browser)
    sign_in(page, portal, coordinator)
    page.goto(f"{portal.url}/partners")
    csrf = page.input_value("input[name=csrf_token]")
    # A practice that left the directory between the page and the save (here: not a practice).
    form = {"csrf_token": csrf, f"partner:{PARTNER}": "yes", "partner:riverside-ob": "yes"}
    refused = page.request.post(f"{portal.url}/partners", form=form)
    assert refused.status == 422
    assert "riverside-ob is not a receiving practice" in refused.text()
    assert f'name="partner:{PARTNER}" value="yes" checked' in refused.text(), "her tick is kept"
    kept = httpx.get(
        f"{portal.net.url('directory')}/v1/organizations/eastbrook-ob/preferred-practices",
        headers=portal.net.auth("eastbrook-ob"),
    ).json()
    assert kept["practice_ids"] == []
