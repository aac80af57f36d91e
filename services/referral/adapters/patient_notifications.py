"""The patient's confirmation, stored: queued with the referral, sealed, and marked as the sender
(`workers/patient_confirmations.py`) sends it after commit or retries it with backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson

from services.referral.adapters.confirmation import Confirmation, render_confirmation, render_sms
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.domain.patient_panel import spoken_language
from services.referral.domain.referral import Referral
from warmlink.backoff import exponential_delay
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection, Executor, notify_after_commit
from warmlink.rows import from_row

CHANNEL = "warmlink_patient_notifications"
QUEUE = """
INSERT INTO patient_notifications (referral_id, channel, sealed) VALUES ($1, $2, $3)"""
DUE = """
SELECT id, referral_id, channel, sealed, attempts FROM patient_notifications
WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED"""
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


async def queue(
    conn: Executor,
    keyring: Keyring,
    channel: str,
    referral: Referral,
    practice: PracticeInfo,
    email: str | None,
    phone: str | None,
) -> bool:
    """Queue the confirmation in the caller's transaction; False when she has no such contact."""
    to = email if channel == "smtp" else phone if channel == "sms" else None
    if to is None:
        return False
    confirmation = confirmation_for(referral, practice)
    subject, body = render_confirmation(confirmation)
    if channel == "sms":
        subject, body = "", render_sms(confirmation)
    await queue_message(conn, keyring, channel, referral.id, to, subject, body)
    return True


async def queue_message(
    conn: Executor,
    keyring: Keyring,
    channel: str,
    referral_id: UUID,
    to: str,
    subject: str,
    body: str,
) -> None:
    """Queue one message to her, sealed, in the caller's transaction; the sender sends it after
    commit. The confirmation and the panel she is sent later take the same path."""
    sealed = keyring.seal(
        orjson.dumps({"to": to, "subject": subject, "body": body}), associated_data(referral_id)
    )
    await conn.execute(QUEUE, referral_id, channel, sealed)
    await notify_after_commit(conn, CHANNEL)


@dataclass(frozen=True)
class PendingConfirmation:
    """A queued confirmation that is due: still sealed, as it waits in its table."""

    id: int
    referral_id: UUID
    channel: str
    sealed: bytes
    attempts: int


async def due(conn: Connection) -> list[PendingConfirmation]:
    """The next due confirmations, locked for this transaction; other senders skip them."""
    return [
        from_row(PendingConfirmation, r, sealed=bytes(r["sealed"])) for r in await conn.fetch(DUE)
    ]


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


async def mark_unsendable(conn: Connection, pending: PendingConfirmation) -> None:
    await conn.execute(UNSENDABLE, pending.id)


async def retry_later(conn: Connection, pending: PendingConfirmation, reason: str) -> None:
    """Back off exponentially; after MAX_ATTEMPTS the confirmation is failed for good."""
    seconds = exponential_delay(pending.attempts + 1, RETRY_INITIAL_S, RETRY_MAX_S)
    retry_at = datetime.now(UTC) + timedelta(seconds=seconds)
    await conn.execute(RETRY, pending.id, retry_at, reason, MAX_ATTEMPTS)
