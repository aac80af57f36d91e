"""The digital handoff form: what it refuses, next to which field, and the referral it sends."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.portal.domain.handoff import (
    MatchCriteria,
    call_script,
    form_field,
    handoff_errors,
    referral_body,
)

FILLED = {
    "given_name": " Maria ",
    "family_name": "Lopez",
    "phone": "312-555-0187",
    "phone_confirmed": "yes",
    "consent": "yes",
    "practice_id": "bloom-therapy",
    "service_id": "bloom-therapy-outpatient",
}
ITEM = {"screening_id": "s1", "patient_ref": "pt-1", "setting": "ob", "urgent": True}


def test_a_complete_form_makes_a_digital_urgent_referral_with_her_details() -> None:
    assert handoff_errors(FILLED, "ob") == {}
    criteria = MatchCriteria("plan", " bcbs-il ", "postpartum")
    body = referral_body(FILLED, ITEM, criteria, "person-1", ZoneInfo("America/Chicago"))
    assert body["method"] == "digital" and body["urgency"] == "urgent"
    assert body["patient"] == {
        "given_name": "Maria",
        "family_name": "Lopez",
        "phone": "312-555-0187",
    }
    assert body["consent"] == {"given": True} and body["referrer_id"] == "person-1"
    assert body["match_criteria"] == {
        "coverage": "plan",
        "plan": "bcbs-il",
        "population": "postpartum",
    }


def test_each_missing_or_wrong_field_is_named_with_what_to_fix() -> None:
    errors = handoff_errors({"phone": "call me"}, "ob")
    assert set(errors) == {"given_name", "family_name", "phone", "phone_confirmed", "consent"}
    assert "phone number" in errors["phone"]


def test_only_the_setting_that_needs_a_field_asks_for_it() -> None:
    assert set(handoff_errors(FILLED, "pediatric")) == {"infant_visit_ref"}
    assert set(handoff_errors(FILLED, "hospital")) == {"planned_discharge_at"}
    assert set(handoff_errors(FILLED, "iop_php")) == {"last_iop_session_on"}
    hospital = FILLED | {"planned_discharge_at": "2026-03-02T15:30"}
    assert handoff_errors(hospital, "hospital") == {}
    body = referral_body(
        hospital,
        ITEM | {"setting": "hospital"},
        MatchCriteria("uninsured"),
        "p",
        ZoneInfo("America/Chicago"),
    )
    assert body["planned_discharge_at"] == "2026-03-02T15:30:00-06:00"


def test_match_criteria_need_a_coverage_and_a_plan_when_insured() -> None:
    assert set(MatchCriteria("").errors()) == {"coverage"}
    assert set(MatchCriteria("plan").errors()) == {"plan"}
    assert MatchCriteria("uninsured", plan="ignored").query() == {"coverage": "uninsured"}
    assert form_field("#/patient/phone") == "phone" and form_field("#/nothing") is None


def test_the_in_room_call_script_is_filled_from_the_screen_and_names_no_one() -> None:
    item = ITEM | {"instrument": "PHQ-9", "band": "moderate"}
    script = call_script(item, "Bloom Perinatal Therapy")
    assert script.startswith("Hello Bloom Perinatal Therapy. I have a patient with me now")
    assert "positive PHQ-9 screen (moderate)" in script and "urgent" in script
    assert "Maria" not in script
    body = referral_body(
        FILLED, ITEM, MatchCriteria("uninsured"), "p", ZoneInfo("UTC"), "in_room_call"
    )
    assert body["method"] == "in_room_call"
    odd = referral_body(FILLED, ITEM, MatchCriteria("uninsured"), "p", ZoneInfo("UTC"), "smoke")
    assert odd["method"] == "digital"


def test_weeks_pregnant_or_postpartum_are_optional_whole_weeks_for_the_practice() -> None:
    assert handoff_errors(FILLED | {"weeks_pregnant": "", "weeks_postpartum": "6"}, "ob") == {}
    body = referral_body(
        FILLED | {"weeks_postpartum": " 6 "},
        ITEM,
        MatchCriteria("uninsured", "", ""),
        "person-1",
        ZoneInfo("America/Chicago"),
    )
    assert body["patient"]["weeks_postpartum"] == 6 and "weeks_pregnant" not in body["patient"]
    refused = handoff_errors(FILLED | {"weeks_pregnant": "7.5", "weeks_postpartum": "200"}, "ob")
    assert refused == {
        "weeks_pregnant": "Enter the weeks of her pregnancy as a whole number from 0 to 45, "
        "or leave it empty.",
        "weeks_postpartum": "Enter the weeks since the birth as a whole number from 0 to 104, "
        "or leave it empty.",
    }
