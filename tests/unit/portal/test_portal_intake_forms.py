"""The intake coordinator's short forms: what each refuses beside its field, and the referral
service's body it becomes (a local date and time in the network's zone, with its offset)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from services.portal.domain import intake_forms as forms

CHICAGO = ZoneInfo("America/Chicago")
LEE = "person:7a1c"


def test_a_telehealth_booking_becomes_the_schedule_body() -> None:
    typed = {
        "date": "2026-12-10",
        "time": "14:30",
        "clinician": LEE,
        "modality": "telehealth",
        "location": "200 W Example St",
        "telehealth_instructions": " Link texted the day before ",
    }
    body, errors = forms.booking(typed, CHICAGO, {LEE})
    assert errors == {}
    assert body == {
        "appointment_at": "2026-12-10T14:30:00-06:00",
        "modality": "telehealth",
        "telehealth_instructions": "Link texted the day before",
        "clinician": LEE,
    }, "the address typed for in person is not sent with a telehealth visit"


def test_an_in_person_booking_needs_the_address_and_no_clinician_is_a_choice() -> None:
    typed = {"date": "2026-12-10", "time": "09:00", "modality": "in_person", "location": ""}
    assert forms.booking(typed, CHICAGO, {LEE}) == (
        {},
        {"location": "Enter the address she comes to."},
    )
    typed["location"] = "200 W Example St"
    body, errors = forms.booking(typed, CHICAGO, {LEE})
    assert errors == {} and "clinician" not in body and body["location"] == "200 W Example St"


def test_a_booking_refuses_each_field_beside_it() -> None:
    typed = {"date": "10/12/2026", "time": "", "clinician": "person:other", "modality": "phone"}
    assert forms.booking(typed, CHICAGO, {LEE})[1] == {
        "date": "Enter the appointment's date.",
        "time": "Enter the appointment's time, such as 14:30.",
        "clinician": "Choose one of your practice's clinicians.",
        "modality": "Choose in person or telehealth.",
    }


def test_coded_choices_and_the_cancellation_before_a_rebooking() -> None:
    assert forms.contact_attempt({"channel": "phone"}) == (
        {"channel": "phone"},
        {"outcome": "Choose what happened."},
    )
    assert forms.decline({"reason": "no_capacity"}) == ({"reason": "no_capacity"}, {})
    assert forms.closing({"outcome": "in_care"}) == ({"outcome": "in_care"}, {})
    assert forms.decline({"reason": "busy"})[1] == {"reason": "Choose why the practice declines."}
    body, errors = forms.cancellation({"cancelled_by": "patient", "cancel_reason": "rescheduled"})
    assert (body, errors) == ({"cancelled_by": "patient", "reason": "rescheduled"}, {})
    # The service's refusal of the cancellation's reason lands beside the form's own field.
    assert forms.api_errors({"reason": "bad"}, "rebook") == {"cancel_reason": "bad"}
    assert forms.api_errors({"appointment_at": "bad"}, "schedule") == {"date": "bad"}
