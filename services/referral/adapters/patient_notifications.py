"""The patient's messages, stored: queued sealed in the transaction of the change that calls for
them (her confirmation with the referral, her appointment with the booking), each due at its
`next_attempt_at`, and marked as the sender (`workers/patient_confirmations.py`) sends it, retries
it with backoff, or finds it moot (domain/patient_choices.moot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
import orjson

from contracts.lifecycle import ReferralStatus
from services.referral.adapters.confirmation import Confirmation
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.patient_choices import moot
from services.referral.domain.patient_panel import spoken_language
from services.referral.domain.referral import Referral
from warmlink.backoff import exponential_delay
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection, Executor, notify_after_commit
from warmlink.rows import from_row

CHANNEL = "warmlink_patient_notifications"
QUEUE = """
INSERT INTO patient_notifications (referral_id, channel, sealed) VALUES ($1, $2, $3)"""
QUEUE_DUE = """
INSERT INTO patient_notifications
    (referral_id, channel, sealed, kind, next_attempt_at, appointment_id, practice_id)
VALUES ($1, $2, $3, $4, coalesce($5, now()), $6, $7)"""
# With each message, what the referral is now: enough to tell a moot message without opening it.
DUE = """
SELECT n.id, n.referral_id, n.channel, n.sealed, n.attempts, n.kind,
    n.appointment_id AS about_appointment, n.practice_id AS about_practice,
    r.status, r.contact_attempts, r.appointment_id, r.practice_id
FROM patient_notifications n JOIN referrals r ON r.id = n.referral_id
WHERE n.status = 'pending' AND n.next_attempt_at <= $1
ORDER BY n.next_attempt_at, n.id LIMIT 20 FOR UPDATE OF n SKIP LOCKED"""
MOOT = "UPDATE patient_notifications SET status = 'moot' WHERE id = $1"
# What the site and the practice may see of her messages: kind, channel, state and times; never
# where a message went or what it said (those stay sealed).
DELIVERIES = """
SELECT kind, channel, status, created_at AS queued_at, next_attempt_at AS due_at, sent_at,
    attempts
FROM patient_notifications WHERE referral_id = $1 ORDER BY created_at, id"""
SENT = """
UPDATE patient_notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1
WHERE id = $1"""
RETRY = """
UPDATE patient_notifications SET attempts = attempts + 1, next_attempt_at = $2, last_error = $3,
    status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END
WHERE id = $1"""
UNSENDABLE = """
UPDATE patient_notifications
SET status = 'failed', attempts = attempts + 1, last_error = 'sealed message cannot be opened'
WHERE id = $1"""
MAX_ATTEMPTS = 10
RETRY_INITIAL_S, RETRY_MAX_S = 5.0, 3600.0  # 5 s after the first failure, at most an hour


def associated_data(referral_id: object) -> bytes:
    """What a sealed confirmation is bound to: it opens in its own referral's row only."""
    return f"patient_notifications.sealed:{referral_id}".encode()


# Weekdays in Spanish, Monday first: strftime's names follow the process locale, not hers.
SPANISH_DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def confirmation_for(referral: Referral, practice: PracticeInfo) -> Confirmation:
    local = referral.acknowledge_by.astimezone(ZoneInfo(practice.time_zone))
    language = spoken_language(referral.language)
    hour = f"{local:%-I} {local:%p}".replace("AM", "am").replace("PM", "pm")
    by = f"by {local:%A} {hour}"
    if language == "es":
        at = "a la" if local.hour % 12 == 1 else "a las"  # a la 1, a las 2
        by = f"antes del {SPANISH_DAYS[local.weekday()]} {at} {hour}"
    return Confirmation(
        practice_name=practice.name,
        practice_phone=practice.intake_phone,
        practice_url=practice.intake_url,
        acknowledge_by_local=by,
        urgent=referral.urgency == "urgent",
        language=language,
    )


async def queue_message(
    conn: Executor,
    keyring: Keyring,
    channel: str,
    referral_id: UUID,
    to: str,
    subject: str,
    body: str,
    *,
    kind: str = "confirmation",
    due_at: datetime | None = None,
    appointment_id: UUID | None = None,
    practice_id: str | None = None,
) -> None:
    """Queue one message to her, sealed, in the caller's transaction; the sender sends it after
    commit, or at `due_at`. Every message to her takes this path; `appointment_id` and
    `practice_id` say what it is about, so that it is dropped once moot."""
    sealed = keyring.seal(
        orjson.dumps({"to": to, "subject": subject, "body": body}), associated_data(referral_id)
    )
    await conn.execute(
        QUEUE_DUE, referral_id, channel, sealed, kind, due_at, appointment_id, practice_id
    )
    await notify_after_commit(conn, CHANNEL)


@dataclass(frozen=True)
class PendingConfirmation:
    """A queued message that is due: still sealed, as it waits in its table, with what it is
    about and the referral as it is now."""

    id: int
    referral_id: UUID
    channel: str
    sealed: bytes
    attempts: int
    kind: str = "confirmation"
    moot: bool = False


async def due(conn: Connection, now: datetime) -> list[PendingConfirmation]:
    """The messages due by `now`, locked for this transaction; other senders skip them."""
    return [
        from_row(PendingConfirmation, r, sealed=bytes(r["sealed"]), moot=_moot(r))
        for r in await conn.fetch(DUE, now)
    ]


def _moot(row: asyncpg.Record) -> bool:
    return moot(
        row["kind"],
        status=ReferralStatus(row["status"]),
        contact_attempts=row["contact_attempts"],
        appointment_id=row["appointment_id"],
        practice_id=row["practice_id"],
        about_appointment=row["about_appointment"],
        about_practice=row["about_practice"],
    )


def opened(keyring: Keyring, pending: PendingConfirmation) -> dict[str, str] | None:
    """The message (`to`, `subject`, `body`), or None when it cannot be opened: a key gone
    from the keyring or a tampered row."""
    try:
        message: dict[str, str] = orjson.loads(
            keyring.open(pending.sealed, associated_data(pending.referral_id))
        )
    except CannotOpen:
        return None
    return message


async def mark_sent(conn: Connection, pending: PendingConfirmation) -> None:
    await conn.execute(SENT, pending.id)


async def mark_moot(conn: Connection, pending: PendingConfirmation) -> None:
    await conn.execute(MOOT, pending.id)


async def mark_unsendable(conn: Connection, pending: PendingConfirmation) -> None:
    await conn.execute(UNSENDABLE, pending.id)


async def retry_later(
    conn: Connection, pending: PendingConfirmation, reason: str, now: datetime
) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the message is failed for good."""
    seconds = exponential_delay(pending.attempts + 1, RETRY_INITIAL_S, RETRY_MAX_S)
    retry_at = now + timedelta(seconds=seconds)
    await conn.execute(RETRY, pending.id, retry_at, reason, MAX_ATTEMPTS)


async def deliveries(conn: Connection, referral_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(DELIVERIES, referral_id))
