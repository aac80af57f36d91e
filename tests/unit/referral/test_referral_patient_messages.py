"""The messages after her confirmation, in English and Spanish: what each one says, that each
ends with the crisis lines and her status link, and that nothing leaves the ASCII alphabet."""

from __future__ import annotations

from datetime import UTC, datetime

from services.referral.domain.patient_messages import (
    Appointment,
    appointment_message,
    check_message,
    reminder_message,
)

LINK = "https://portal.example/s/abc"
IN_PERSON = Appointment(
    datetime(2026, 3, 3, 19, 30, tzinfo=UTC),
    "America/Chicago",
    clinician="Dr. Ana Ruiz",
    location="200 Lake St, Suite 4",
)
TELEHEALTH = Appointment(
    datetime(2026, 3, 3, 19, 30, tzinfo=UTC),
    "America/Chicago",
    telehealth_instructions="Open the link we text you 10 minutes before.",
)


def test_the_appointment_in_english_says_when_who_where_and_what_to_bring() -> None:
    m = appointment_message("en", "Bloom Perinatal Therapy", "(312) 555-0190", IN_PERSON, LINK)
    assert m.subject == "Your appointment"
    assert "Bloom Perinatal Therapy is booked for Tuesday, March 3 at 1:30 PM." in m.body
    assert "You will see Dr. Ana Ruiz." in m.body
    assert "Where: 200 Lake St, Suite 4" in m.body
    assert "photo ID" in m.body and "To change the time, call (312) 555-0190." in m.body
    assert "988" in m.body and "1-833-TLC-MAMA" in m.body and LINK in m.body
    assert "photo ID" not in m.sms and "988" in m.sms and LINK in m.sms


def test_the_appointment_in_spanish_is_all_spanish_and_plain_ascii() -> None:
    m = appointment_message("es-MX", "Bloom", None, TELEHEALTH, LINK)
    assert m.subject == "Su cita"
    assert "Su cita con Bloom esta programada para el martes 3 de marzo a las 13:30." in m.body
    assert "Como conectarse: Open the link" in m.body
    assert "Traiga una identificacion con foto" in m.body
    assert "Llame o envie un texto al 988" in m.body
    assert "Para cambiar" not in m.body  # no number to give
    assert (m.subject + m.body + m.sms).isascii()


def test_the_reminder_says_tomorrow_and_where() -> None:
    en = reminder_message("en", "Bloom", IN_PERSON, LINK)
    es = reminder_message("es", "Bloom", TELEHEALTH, LINK)
    assert "your appointment with Bloom is tomorrow, Tuesday, March 3 at 1:30 PM." in en.body
    assert "Where: 200 Lake St" in en.sms
    assert es.subject == "Un recordatorio para manana"
    assert "su cita con Bloom es manana, martes 3 de marzo a las 13:30." in es.body


def test_the_two_day_check_gives_the_practice_number_and_the_crisis_lines() -> None:
    en = check_message("en", "Bloom", "(312) 555-0190", LINK)
    es = check_message("es", "Bloom", None, LINK)
    assert en.subject == "Has the practice reached you?"
    assert "If not, please call them at (312) 555-0190." in en.sms
    assert "988" in en.sms and "1-833-TLC-MAMA" in en.sms
    assert "Ya la ha contactado Bloom? Si no, llame a su equipo de atencion." in es.body
    assert "Linea Nacional de Salud Mental Materna" in es.body
