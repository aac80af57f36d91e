"""The messages she is sent after her confirmation, in her language (docs/domain.md "The
patient's messages"): her appointment once it is booked, a reminder the day before, and, when
two business days pass with no contact recorded, "has the practice reached you?".

Pure. The sentences are the patient catalogs' (warmlink/locale, `appointment.*`, `reminder.*`,
`check.*`); every message ends with the crisis lines and the link to her status page. Like the
confirmation they name the practice and the appointment, never her, her screen or anything
clinical, and are plain ASCII (patient_panel.plain_ascii).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.referral.domain.patient_panel import HOTLINE, plain_ascii
from warmlink.patient_words import patient_words


class MessageKind(StrEnum):
    CONFIRMATION = "confirmation"
    PANEL = "panel"
    APPOINTMENT = "appointment"
    REMINDER = "reminder"
    CHECK = "check"  # two business days, no contact recorded: has the practice reached you?


@dataclass(frozen=True)
class Appointment:
    """The appointment as she is told it: when (shown in the practice's zone) and where."""

    at: datetime
    time_zone: str
    clinician: str | None = None
    location: str | None = None
    telehealth_instructions: str | None = None


@dataclass(frozen=True)
class PatientMessage:
    subject: str  # discreet, like the panel's: it names neither the practice nor mental health
    body: str  # the email
    sms: str  # the same sentences, shorter: no list of what to bring


def appointment_message(
    language: str, practice: str, phone: str | None, appointment: Appointment, status_url: str
) -> PatientMessage:
    words = patient_words()
    when = words.moment(language, appointment.at, appointment.time_zone)
    lines = [words.text(language, "appointment.booked", practice=practice, when=when)]
    lines += _logistics(language, appointment)
    short = list(lines)
    lines.append(words.text(language, "appointment.bring"))
    if phone:
        lines.append(words.text(language, "appointment.change", phone=phone))
        short.append(lines[-1])
    return _message(language, "appointment.subject", lines, short, status_url)


def reminder_message(
    language: str, practice: str, appointment: Appointment, status_url: str
) -> PatientMessage:
    words = patient_words()
    when = words.moment(language, appointment.at, appointment.time_zone)
    lines = [words.text(language, "reminder.tomorrow", practice=practice, when=when)]
    lines += _logistics(language, appointment)
    return _message(language, "reminder.subject", lines, lines, status_url)


def check_message(
    language: str, practice: str, phone: str | None, status_url: str
) -> PatientMessage:
    words = patient_words()
    line = (
        words.text(language, "check.asked", practice=practice, phone=phone)
        if phone
        else words.text(language, "check.no_phone", practice=practice)
    )
    return _message(language, "check.subject", [line], [line], status_url)


def _logistics(language: str, a: Appointment) -> list[str]:
    words = patient_words()
    lines = []
    if a.clinician:
        lines.append(words.text(language, "appointment.clinician", clinician=a.clinician))
    if a.location:
        lines.append(words.text(language, "appointment.where", location=a.location))
    if a.telehealth_instructions:
        instructions = a.telehealth_instructions
        lines.append(words.text(language, "appointment.telehealth", instructions=instructions))
    return lines


def _message(
    language: str, subject: str, lines: list[str], short: list[str], status_url: str
) -> PatientMessage:
    words = patient_words()
    crisis = [
        words.text(language, "panel.crisis_988"),
        words.text(language, "panel.crisis_hotline", hotline=HOTLINE),
    ]
    link = words.text(language, "status.link", url=status_url)
    heading = words.text(language, "panel.crisis_heading")
    body = "\n\n".join([*lines, link, heading + ":\n" + "\n".join(crisis)]) + "\n"
    sms = " ".join([*short, *crisis, link])
    return PatientMessage(
        plain_ascii(words.text(language, subject)), plain_ascii(body), plain_ascii(sms)
    )
