"""The patient's confirmation: who, when, how to reach them; crisis resources first when urgent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.referral.adapters.confirmation import (
    SMS_MAX_CHARS,
    Confirmation,
    render_confirmation,
    render_sms,
)
from services.referral.domain.messages import patient_message

ROUTINE = Confirmation(
    practice_name="Bloom Perinatal Therapy",
    practice_phone="(312) 555-0190",
    practice_url="https://bloom.example/intake",
    acknowledge_by_local="by Tuesday 5 pm",
    urgent=False,
)
URGENT = replace(ROUTINE, urgent=True)
SUPPORT_LINES = ("1-800-944-4773", "1-833-TLC-MAMA")


def test_email_says_who_when_and_how_to_reach_them() -> None:
    subject, body = render_confirmation(ROUTINE)

    assert "Bloom Perinatal Therapy" in body
    assert "within one business day, by Tuesday 5 pm." in body
    assert "(312) 555-0190 or https://bloom.example/intake" in body
    assert "call or text 988" in body
    for line in SUPPORT_LINES:
        assert line in body
    assert "not crisis lines" in body
    assert subject == "Your referral: what happens next"


def test_subject_is_discreet() -> None:
    for c in (ROUTINE, URGENT):
        subject, _ = render_confirmation(c)
        assert "Bloom" not in subject
        assert "mental" not in subject.lower()


def test_routine_email_puts_logistics_before_the_crisis_line() -> None:
    _, body = render_confirmation(ROUTINE)
    assert body.index("Bloom Perinatal Therapy") < body.index("988")


def test_urgent_email_opens_with_988() -> None:
    _, body = render_confirmation(URGENT)
    first_paragraph = body.split("\n\n")[1]  # after the greeting
    assert "call or text 988" in first_paragraph
    assert body.index("988") < body.index("Bloom Perinatal Therapy")
    assert body.count("988") == 1  # said once, prominently


def test_without_practice_contacts_she_is_told_to_call_her_care_team() -> None:
    _, body = render_confirmation(replace(ROUTINE, practice_phone=None, practice_url=""))
    assert "please call your care team" in body
    assert " at ." not in body


def test_phone_only() -> None:
    _, body = render_confirmation(replace(ROUTINE, practice_url=None))
    assert "reach them at (312) 555-0190." in body


@pytest.mark.parametrize("c", [ROUTINE, URGENT])
def test_everything_is_plain_ascii(c: Confirmation) -> None:
    subject, body = render_confirmation(c)
    for text in (subject, body, render_sms(c)):
        assert text.isascii()


# --- SMS ---


def test_sms_routine() -> None:
    sms = render_sms(ROUTINE)

    assert len(sms) <= SMS_MAX_CHARS
    assert sms.startswith("Your referral: Bloom Perinatal Therapy will contact you")
    assert "by Tuesday 5 pm" in sms
    assert "(312) 555-0190" in sms
    assert "988" in sms
    for line in SUPPORT_LINES:
        assert line in sms


def test_sms_urgent_starts_with_988() -> None:
    sms = render_sms(URGENT)
    assert sms.startswith("If you do not feel safe, call or text 988 now.")
    assert sms.count("988") == 1
    assert len(sms) <= SMS_MAX_CHARS


LONG = "Northwestern Regional Perinatal and Reproductive Psychiatry Collaborative " * 5


@pytest.mark.parametrize("urgent", [False, True])
@pytest.mark.parametrize(
    "overrides",
    [
        {"practice_name": LONG},
        {"practice_url": "https://" + "x" * 400 + ".example/intake"},
        {"acknowledge_by_local": "by " + "the end of the next business day " * 10},
        {"practice_phone": "9" * 300},
        {
            "practice_name": LONG,
            "practice_phone": "9" * 300,
            "practice_url": "https://" + "x" * 400,
            "acknowledge_by_local": "by " + "w" * 300,
        },
    ],
)
def test_sms_never_exceeds_the_limit_and_keeps_the_crisis_lines(
    urgent: bool, overrides: dict[str, str]
) -> None:
    sms = render_sms(replace(ROUTINE, urgent=urgent, **overrides))

    assert len(sms) <= SMS_MAX_CHARS
    assert "call or text 988" in sms
    for line in SUPPORT_LINES:
        assert line in sms
    assert sms.startswith("If you do not feel safe") is urgent


def test_a_long_url_goes_before_anything_else_is_clipped() -> None:
    sms = render_sms(replace(ROUTINE, practice_url="https://" + "x" * 400))
    assert "Bloom Perinatal Therapy" in sms
    assert "(312) 555-0190" in sms
    assert "https://" not in sms


def test_a_clipped_name_is_marked() -> None:
    sms = render_sms(replace(ROUTINE, practice_name=LONG))
    assert "Northwestern Regional" in sms
    assert "..." in sms


def test_an_urgent_referral_promises_hours_not_a_day() -> None:
    """Urgent referrals run on the practice's short clock: she is told hours, never a day."""
    _, routine = render_confirmation(ROUTINE)
    _, urgent = render_confirmation(URGENT)
    assert "within one business day" in routine
    assert "within a few business hours, by Tuesday 5 pm." in urgent
    assert "business day" not in urgent
    assert "within a few hours" in render_sms(URGENT)
    assert "within 1 business day" in render_sms(ROUTINE)


def test_what_the_clinician_says_follows_the_urgency() -> None:
    assert "within one business day" in patient_message("Bloom", None)
    urgent = patient_message("Bloom", None, urgent=True)
    assert "within a few business hours" in urgent
    assert "business day" not in urgent
