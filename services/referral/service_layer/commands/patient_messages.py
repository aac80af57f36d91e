"""Queueing her messages with the change that calls for them (docs/domain.md "The patient's
messages"): at submission her confirmation, her status link and the two-business-day check; at
each booking her appointment and the day-before reminder. Each is queued sealed in the caller's
transaction (the outbox way): the change and its messages commit together or not at all, and the
sender (workers/patient_confirmations.py) sends them when due, or drops them once moot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.referral.adapters import patient_notifications as outbox
from services.referral.adapters import patient_status_links as links
from services.referral.adapters import referral_repository as repo
from services.referral.adapters.confirmation import render_confirmation, render_sms
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.patient_choices import (
    EMAIL,
    SMS,
    address,
    check_due,
    reminder_due,
)
from services.referral.domain.patient_messages import (
    Appointment,
    MessageKind,
    PatientMessage,
    appointment_message,
    check_message,
    reminder_message,
)
from services.referral.domain.referral import AppointmentLogistics, PatientDetails, Referral
from services.referral.service_layer.commands.access import visible_referral
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection, Executor
from warmlink.patient_words import patient_words


@dataclass(frozen=True)
class PatientMessaging:
    """What the network can send her on (REFERRAL_NOTIFY_CHANNEL first; none: nothing is sent)
    and where her status page is (`<portal_url>/s/<token>`)."""

    channels: tuple[str, ...] = ()
    portal_url: str = "http://127.0.0.1:8005"

    def status_url(self, token: str) -> str:
        return f"{self.portal_url.rstrip('/')}/s/{token}"


OFF = PatientMessaging()


def _text(message: PatientMessage, channel: str) -> tuple[str, str]:
    return ("", message.sms) if channel == SMS else (message.subject, message.body)


async def plan_first_messages(
    conn: Executor,
    keyring: Keyring,
    messaging: PatientMessaging,
    referral: Referral,
    practice: PracticeInfo,
    patient: PatientDetails,
    now: datetime,
) -> str | None:
    """At submission: her status link, the confirmation now and "has the practice reached
    you?" in two business days. The channel used, or None when nothing can reach her."""
    where = address(patient, messaging.channels)
    if where is None:
        return None
    channel, to = where
    token = await links.issue(conn, keyring, referral.id, practice.time_zone, now)
    url = messaging.status_url(token)
    language = patient_words().spoken(referral.language)
    link = patient_words().text(language, "status.link", url=url)
    confirmation = outbox.confirmation_for(referral, practice)
    if channel == SMS:
        subject, body = "", f"{render_sms(confirmation)} {link}"
    else:
        subject, body = render_confirmation(confirmation)
        body = f"{body}\n{link}\n"
    await outbox.queue_message(conn, keyring, channel, referral.id, to, subject, body)
    check = check_message(language, practice.name, practice.intake_phone, url)
    await outbox.queue_message(
        conn,
        keyring,
        channel,
        referral.id,
        to,
        *_text(check, channel),
        kind=MessageKind.CHECK,
        due_at=check_due(practice.calendar, referral.submitted_at, patient),
        practice_id=referral.practice_id,
    )
    return channel


async def plan_appointment_messages(
    conn: Connection,
    caller: Caller,
    keyring: Keyring,
    messaging: PatientMessaging,
    referral_id: UUID,
    logistics: AppointmentLogistics,
    now: datetime,
) -> None:
    """At a booking (or re-booking): the appointment now, and the reminder the day before.
    Those of an earlier booking become moot by themselves (their appointment is not this one).
    Opening her contact details to address them is audited."""
    if not messaging.channels:
        return
    link = await links.of_referral(conn, keyring, referral_id)
    if link is None:  # nothing could reach her at submission
        return
    row = await repo.get(conn, referral_id, caller.organization_id)
    assert row is not None, "booked by its own practice in this transaction"
    patient = await repo.patient(conn, referral_id, keyring)
    await audit(conn, caller, "read", "referral_patient", str(referral_id), "patient_message")
    where = address(patient, messaging.channels)
    if where is None:
        return
    channel, to = where
    language, url = row["language"], messaging.status_url(link.token)
    appointment = Appointment(
        row["appointment_at"],
        link.time_zone,
        logistics.clinician_name,
        logistics.location,
        logistics.telehealth_instructions,
    )
    about = {"appointment_id": row["appointment_id"], "practice_id": row["practice_id"]}
    booked = appointment_message(
        language, row["practice_name"], row["practice_phone"], appointment, url
    )
    await outbox.queue_message(
        conn, keyring, channel, referral_id, to, *_text(booked, channel),
        kind=MessageKind.APPOINTMENT, **about,
    )  # fmt: skip
    due = reminder_due(appointment.at, link.time_zone, patient, now)
    if due is not None:
        reminder = reminder_message(language, row["practice_name"], appointment, url)
        await outbox.queue_message(
            conn, keyring, channel, referral_id, to, *_text(reminder, channel),
            kind=MessageKind.REMINDER, due_at=due, **about,
        )  # fmt: skip


async def message_deliveries(
    conn: Connection, caller: Caller, referral_id: UUID
) -> list[dict[str, Any]]:
    """Her messages' delivery, for the referring site and the practice: what was sent, by which
    channel, queued, sent, failed or moot, and when. No address, no content: nothing to audit."""
    await visible_referral(conn, caller, referral_id)
    names = {EMAIL: "email", SMS: "sms"}
    return [
        dict(r) | {"channel": names.get(r["channel"], r["channel"])}
        for r in await outbox.deliveries(conn, referral_id)
    ]
