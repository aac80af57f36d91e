"""The intake coordinator's short forms on a referral (log a contact attempt, book, cancel and
re-book, decline), checked as typed: what each refuses, beside its field, and the referral
service's body it becomes. Pure: the practice's time zone is passed in."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from contracts.codes import (
    AppointmentCancelReason,
    AppointmentParty,
    ClosureOutcome,
    ContactChannel,
    ContactOutcome,
    DeclineReason,
    Modality,
)

CHANNELS = {
    ContactChannel.PHONE: "Phone call",
    ContactChannel.SMS: "Text message",
    ContactChannel.PORTAL: "Patient portal",
    ContactChannel.EMAIL: "Email",
}
OUTCOMES = {
    ContactOutcome.REACHED: "Reached her",
    ContactOutcome.LEFT_MESSAGE: "Left a message",
    ContactOutcome.NO_ANSWER: "No answer",
    ContactOutcome.INVALID_CONTACT: "Number or address does not work",
    ContactOutcome.PATIENT_DECLINED: "She declined",
}
DECLINE_REASONS = {
    DeclineReason.NO_CAPACITY: "No capacity",
    DeclineReason.NOT_CLINICAL_FIT: "Not a clinical fit",
    DeclineReason.COVERAGE: "Her coverage is not accepted",
    DeclineReason.UNABLE_TO_REACH: "Unable to reach her",
    DeclineReason.PATIENT_DECLINED: "She declined",
    DeclineReason.OTHER: "Other",
}
CLOSURE_OUTCOMES = {
    ClosureOutcome.IN_CARE: "She is in care here",
    ClosureOutcome.CARE_ELSEWHERE: "She is in care elsewhere",
    ClosureOutcome.NOT_ATTENDED: "She did not keep attending",
    ClosureOutcome.UNABLE_TO_REACH: "Unable to reach her",
    ClosureOutcome.PATIENT_DECLINED: "She declined",
    ClosureOutcome.OTHER: "Other",
}
CANCELLED_BY = {AppointmentParty.PATIENT: "She did", AppointmentParty.PRACTICE: "The practice"}
CANCEL_REASONS = {
    AppointmentCancelReason.RESCHEDULED: "Rescheduled",
    AppointmentCancelReason.PATIENT_REQUEST: "She asked to",
    AppointmentCancelReason.PROVIDER_UNAVAILABLE: "The clinician is unavailable",
    AppointmentCancelReason.COVERAGE: "Coverage",
    AppointmentCancelReason.OTHER: "Other",
}
MODALITIES = {Modality.IN_PERSON: "In person", Modality.TELEHEALTH: "Telehealth"}
BOOKING_FIELDS = (
    "date",
    "time",
    "clinician",
    "clinician_name",
    "modality",
    "location",
    "telehealth_instructions",
)

Checked = tuple[dict[str, Any], dict[str, str]]


def _chosen(
    form: dict[str, str], fields: dict[str, tuple[dict[Any, str], str]]
) -> tuple[dict[str, str], dict[str, str]]:
    body, errors = {}, {}
    for name, (allowed, what) in fields.items():
        value = form.get(name, "")
        if value in {str(k) for k in allowed}:
            body[name] = value
        else:
            errors[name] = f"Choose {what}."
    return body, errors


def contact_attempt(form: dict[str, str]) -> Checked:
    return _chosen(form, {"channel": (CHANNELS, "how"), "outcome": (OUTCOMES, "what happened")})


def decline(form: dict[str, str]) -> Checked:
    return _chosen(form, {"reason": (DECLINE_REASONS, "why the practice declines")})


def closing(form: dict[str, str]) -> Checked:
    return _chosen(form, {"outcome": (CLOSURE_OUTCOMES, "how the referral ends")})


def cancellation(form: dict[str, str]) -> Checked:
    """Who cancelled and why; the form names the reason `cancel_reason`, beside the decline's."""
    body, errors = _chosen(
        form,
        {
            "cancelled_by": (CANCELLED_BY, "who cancelled"),
            "cancel_reason": (CANCEL_REASONS, "why it was cancelled"),
        },
    )
    if "cancel_reason" in body:
        body["reason"] = body.pop("cancel_reason")
    return body, errors


def booking(form: dict[str, str], zone: ZoneInfo, clinicians: set[str]) -> Checked:
    """The schedule body: a local date and time in the practice's zone (as UTC with its offset),
    the clinician chosen from the practice's own, and where (in person) or how (telehealth)."""
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(form.get("date", ""))
    except ValueError:
        day = None
        errors["date"] = "Enter the appointment's date."
    try:
        wall = time.fromisoformat(form.get("time", ""))
    except ValueError:
        wall = None
        errors["time"] = "Enter the appointment's time, such as 14:30."
    clinician = form.get("clinician", "")
    if clinician and clinician not in clinicians:
        errors["clinician"] = "Choose one of your practice's clinicians."
    # The name her appointment message gives (the staff id above is what the inbox filters by).
    clinician_name = form.get("clinician_name", "").strip()
    if len(clinician_name) > 120:
        errors["clinician_name"] = "Keep the clinician's name under 120 characters."
    modality = form.get("modality", "")
    location = form.get("location", "").strip()
    instructions = form.get("telehealth_instructions", "").strip()
    if modality == Modality.IN_PERSON and not location:
        errors["location"] = "Enter the address she comes to."
    elif modality == Modality.TELEHEALTH and not instructions:
        errors["telehealth_instructions"] = "Say how she joins the visit."
    elif modality not in {str(m) for m in Modality}:
        errors["modality"] = "Choose in person or telehealth."
    if len(location) > 300:
        errors["location"] = "Keep the address under 300 characters."
    if len(instructions) > 1000:
        errors["telehealth_instructions"] = "Keep the instructions under 1000 characters."
    if errors or day is None or wall is None:
        return {}, errors
    at = datetime.combine(day, wall, tzinfo=zone)
    body: dict[str, Any] = {"appointment_at": at.isoformat(), "modality": modality}
    if modality == Modality.IN_PERSON:
        body["location"] = location
    else:
        body["telehealth_instructions"] = instructions
    if clinician:
        body["clinician"] = clinician
    if clinician_name:
        body["clinician_name"] = clinician_name
    return body, {}


def api_errors(errors: dict[str, str], step: str) -> dict[str, str]:
    """The referral service's refusal (field names of its body) as the form's fields."""
    moved = {"appointment_at": "date"}
    if step == "rebook":
        moved["reason"] = "cancel_reason"
    return {moved.get(name, name): detail for name, detail in errors.items()}
