"""The site coordinator's partners form, the handoff fields chosen by the site's kind, and the
barriers asked before she leaves."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.portal.domain.handoff import (
    SUMMARY_MAX_BYTES,
    MatchCriteria,
    handoff_errors,
    referral_body,
    site_setting,
    summary_type,
)
from services.portal.domain.partners import FIELD, choices, chosen_in
from tests.unit.portal.test_portal_handoff_form import FILLED, ITEM

ORGS = [
    {"id": "riverside-ob", "name": "Riverside OB", "kind": "ob", "status": "active"},
    {"id": "zen", "name": "Zen Therapy", "kind": "practice", "status": "active",
     "practice_type": "private_practice"},
    {"id": "acme", "name": "acme counseling", "kind": "practice", "status": "active",
     "practice_type": "fqhc"},
    {"id": "gone", "name": "Gone Practice", "kind": "practice", "status": "suspended",
     "practice_type": None},
    {"id": "away", "name": "Away Practice", "kind": "practice", "status": "suspended",
     "practice_type": None},
]  # fmt: skip


def test_practices_are_offered_partners_first_then_by_name() -> None:
    offered = choices(ORGS, ["zen", "gone"])
    assert [(o["id"], o["chosen"]) for o in offered] == [
        ("zen", True),
        ("gone", True),
        ("acme", False),
    ], "no referring site, no suspended practice unless it is already a partner"
    assert offered[1]["suspended"] and offered[2]["type"] == "Federally qualified health center"


def test_the_ticked_practices_are_read_in_the_page_order() -> None:
    form = {"csrf_token": "t", f"{FIELD}zen": "yes", f"{FIELD}acme": "yes"}
    assert chosen_in(form) == ["zen", "acme"]
    assert chosen_in({"csrf_token": "t"}) == []


def test_the_site_kind_in_the_directory_chooses_the_setting_fields() -> None:
    assert site_setting("hospital", "ob") == "hospital"
    assert site_setting("pediatric", "ob") == "pediatric"
    assert site_setting("iop_php", "ob") == "iop_php"
    assert site_setting("ob", "hospital") == "ob"
    assert site_setting(None, "pediatric") == "pediatric", "the directory did not answer"
    assert site_setting("practice", "ob") == "ob"
    pediatric = FILLED | {"infant_visit_ref": "visit-7"}
    body = referral_body(
        pediatric, ITEM, MatchCriteria("uninsured"), "p", ZoneInfo("UTC"), setting="pediatric"
    )
    assert body["setting"] == "pediatric" and body["infant_visit_ref"] == "visit-7"


def test_barriers_and_safe_contact_go_with_the_referral_only_when_answered() -> None:
    asked = FILLED | {
        "barrier_time": "yes",
        "barrier_transport": "yes",
        "voicemail_safe": "no",
        "text_safe": "yes",
    }
    assert handoff_errors(asked, "ob") == {}
    body = referral_body(asked, ITEM, MatchCriteria("uninsured"), "p", ZoneInfo("UTC"))
    assert body["barriers"] == ["transport", "time"]
    assert (body["patient"]["voicemail_safe"], body["patient"]["text_safe"]) == (False, True)
    unasked = referral_body(FILLED, ITEM, MatchCriteria("uninsured"), "p", ZoneInfo("UTC"))
    assert unasked["barriers"] == []
    assert "voicemail_safe" not in unasked["patient"] and "text_safe" not in unasked["patient"]
    assert set(handoff_errors(FILLED | {"text_safe": "maybe"}, "ob")) == {"text_safe"}


def test_the_discharge_summary_is_sent_as_a_pdf_or_utf8_text_only() -> None:
    assert summary_type(b"%PDF-1.7 ...") == "application/pdf"
    assert summary_type("Résumé de sortie".encode()) == "text/plain; charset=utf-8"
    assert summary_type(b"\xff\xfe\x00binary") is None
    assert summary_type(b"") is None
    assert summary_type(b"a" * (SUMMARY_MAX_BYTES + 1)) is None
