"""What she hears: the panel written for the patient, and the same words sent to her through the
path of her confirmation (queued sealed, sent after commit by workers/patient_confirmations.py).

Only the referring site sees or sends it. Sending opens her contact details: that read is
audited, and the timeline says a message went (by which channel), never to where.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.referral.adapters import patient_notifications
from services.referral.adapters import referral_repository as repo
from services.referral.domain.errors import NoContactForChannel, PatientMessagesOff
from services.referral.domain.patient_choices import sms_safe
from services.referral.domain.patient_messages import MessageKind
from services.referral.domain.patient_panel import PatientPanel, patient_panel
from services.referral.service_layer.commands.access import visible_referral
from warmlink.audit import audit
from warmlink.auth import Caller
from warmlink.crypto import Keyring
from warmlink.db import Connection

CHANNEL_NAMES = {"smtp": "email", "sms": "sms"}


def panel_of(row: asyncpg.Record) -> PatientPanel:
    """Her panel from the referral as it is now: a redirect names the new practice and line."""
    return patient_panel(
        row["practice_name"], row["practice_phone"], row["urgency"] == "urgent", row["language"]
    )


async def patient_panel_for(conn: Connection, caller: Caller, referral_id: UUID) -> PatientPanel:
    row = await visible_referral(conn, caller, referral_id, owner="site_id")
    return panel_of(row)


async def send_patient_message(
    conn: Connection,
    caller: Caller,
    referral_id: UUID,
    keyring: Keyring,
    channel: str,
    now: datetime,
) -> PatientPanel:
    """Queue her panel as a text message (`sms`) or an email (`smtp`), the network's channel."""
    row = await visible_referral(conn, caller, referral_id, owner="site_id")
    if channel not in CHANNEL_NAMES:
        raise PatientMessagesOff()
    patient = await repo.patient(conn, referral_id, keyring)
    await audit(conn, caller, "read", "referral_patient", str(referral_id), "patient_message")
    # A number not safe to contact (or to text) is never texted, not even her panel.
    to = patient.email if channel == "smtp" else patient.phone if sms_safe(patient) else None
    if not to:
        raise NoContactForChannel(channel)
    panel = panel_of(row)
    subject, body = panel.email() if channel == "smtp" else ("", panel.sms())
    await patient_notifications.queue_message(
        conn, keyring, channel, referral_id, to, subject, body, kind=MessageKind.PANEL
    )
    referral = repo.to_referral(row)
    await repo.append_timeline(
        conn, referral, "patient_message", caller, now, CHANNEL_NAMES[channel]
    )
    return panel
