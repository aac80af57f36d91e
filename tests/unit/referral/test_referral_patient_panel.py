"""What she hears: the panel in her language (English when hers is not offered), the urgent
window, the number the practice calls from, the crisis lines; the SMS stays plain ASCII."""

from __future__ import annotations

from services.referral.domain.patient_panel import patient_panel, spoken_language


def test_her_language_is_the_primary_subtag_offered_else_english() -> None:
    assert spoken_language("es-MX") == "es"
    assert spoken_language("ES") == "es"
    assert spoken_language("vi") == "en"
    assert spoken_language(None) == "en"


def test_the_spanish_panel_names_the_practice_the_day_and_the_number() -> None:
    panel = patient_panel("Bloom Perinatal Therapy", "312-555-0100", False, "es")
    assert panel.language == "es" and panel.heading == "Qué pasa ahora"
    assert panel.lines == (
        "Su equipo de atención la ha referido a Bloom Perinatal Therapy.",
        "Le llamarán dentro de 1 día hábil para programar su primera cita.",
        "Le llamarán desde el 312-555-0100. Guarde este número para saber que son ellos.",
    )
    assert "988" in panel.crisis[0] and "1-833-852-6262" in panel.crisis[1]


def test_an_urgent_referral_promises_hours_and_no_number_sends_her_to_her_care_team() -> None:
    panel = patient_panel("Bloom", None, True, "en")
    assert (
        panel.lines[1]
        == "They will call you within a few business hours to set up your first visit."
    )
    assert panel.lines[2] == "If you have not heard from them by then, call your care team."


def test_the_text_message_is_the_panel_in_plain_ascii() -> None:
    sms = patient_panel("Bloom", "312-555-0100", False, "es").sms()
    assert sms.isascii()
    assert "Le llamaran dentro de 1 dia habil" in sms and "988" in sms
    assert "1-833-852-6262" in sms
