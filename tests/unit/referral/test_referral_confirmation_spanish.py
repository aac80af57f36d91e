"""Her confirmation in Spanish when she reads it: the same facts and order as in English, the
panel's words for when they will call, the deadline in Spanish, all plain ASCII; SMS within
its limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from contracts.lifecycle import ReferralStatus
from services.referral.adapters.confirmation import (
    SMS_MAX_CHARS,
    Confirmation,
    render_confirmation,
    render_sms,
)
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.adapters.patient_notifications import confirmation_for
from services.referral.domain.referral import Referral

ROUTINE = Confirmation(
    practice_name="Bloom Perinatal Therapy",
    practice_phone="(312) 555-0190",
    practice_url=None,
    acknowledge_by_local="antes del martes a las 5 pm",
    urgent=False,
    language="es",
)


@pytest.mark.parametrize("urgent", [False, True])
def test_the_spanish_email_says_who_when_and_the_crisis_line_in_ascii(urgent: bool) -> None:
    subject, body = render_confirmation(replace(ROUTINE, urgent=urgent))
    assert subject == "Su referido: que pasa ahora"
    assert body.startswith("Hola:") and body.isascii()
    within = "en unas pocas horas habiles" if urgent else "dentro de 1 dia habil"
    assert f"Le contactaran {within}, antes del martes a las 5 pm." in body
    assert "puede llamarles al (312) 555-0190." in body
    assert body.count("988") == 1 and "1-833-TLC-MAMA" in body and "1-800-944-4773" in body
    assert (body.index("988") < body.index("Bloom")) is urgent, "urgent: the crisis line first"


@pytest.mark.parametrize("urgent", [False, True])
def test_the_spanish_sms_stays_within_the_limit_in_ascii(urgent: bool) -> None:
    sms = render_sms(replace(ROUTINE, urgent=urgent, practice_name="Bloom " * 40))
    assert len(sms) <= SMS_MAX_CHARS and sms.isascii()
    assert "988" in sms and "1-833-TLC-MAMA" in sms
    assert sms.startswith("Si no se siente segura") is urgent


def test_a_language_not_offered_is_confirmed_in_english() -> None:
    subject, body = render_confirmation(replace(ROUTINE, language="vi"))
    assert subject == "Your referral: what happens next" and body.startswith("Hello,")


@pytest.mark.parametrize(("hour", "said"), [(13, "a la 1 pm"), (17, "a las 5 pm")])
def test_the_deadline_is_said_in_spanish(hour: int, said: str) -> None:
    # Tuesday 1 Dec 2026, in Chicago (UTC-6).
    acknowledge_by = datetime(2026, 12, 1, hour + 6, tzinfo=UTC)
    referral = Referral(
        id=uuid4(),
        site_id="site",
        practice_id="bloom",
        service_id="bloom-outpatient",
        practice_name="Bloom",
        screening_id=None,
        patient_ref="pt-1",
        setting="ob",
        method="digital",
        urgency="routine",
        level_of_care="outpatient_therapy",
        referrer_id="dr-1",
        acting_for=None,
        consent_given=True,
        part2=False,
        status=ReferralStatus.SUBMITTED,
        submitted_at=acknowledge_by,
        acknowledge_by=acknowledge_by,
        appointment_needed_by=None,
        language="es-MX",
    )
    practice = PracticeInfo(
        "bloom",
        "Bloom",
        "bloom-outpatient",
        "outpatient_therapy",
        None,
        None,
        "America/Chicago",
        None,  # type: ignore[arg-type]  # the calendar and the rule: not read here
        None,  # type: ignore[arg-type]
    )
    confirmation = confirmation_for(referral, practice)
    assert confirmation.language == "es"
    assert confirmation.acknowledge_by_local == f"antes del martes {said}"
