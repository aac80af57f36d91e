"""The patient's confirmation: queued with the referral, sent after commit, retried with backoff.

A PHI read by the service itself (to address the message) is audited like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import orjson

from services.referral.adapters.confirmation import Confirmation, render_confirmation, render_sms
from services.referral.adapters.directory_client import PracticeInfo
from services.referral.adapters.notifications import NotificationFailed, Notifier
from services.referral.domain.referral import Referral
from warmlink.audit import audit
from warmlink.auth import Caller, Role
from warmlink.backoff import exponential_delay
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Executor, listening, notify_after_commit, outlast_outages

log = logging.getLogger(__name__)

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
POLL_S = 5.0
SYSTEM = Caller("referral-service", "warmlink-network", Role.ADMIN)


def associated_data(referral_id: object) -> bytes:
    """What a sealed confirmation is bound to: it opens in its own referral's row only."""
    return f"patient_notifications.sealed:{referral_id}".encode()


def confirmation_for(referral: Referral, practice: PracticeInfo) -> Confirmation:
    local = referral.acknowledge_by.astimezone(ZoneInfo(practice.time_zone))
    return Confirmation(
        practice_name=practice.name,
        practice_phone=practice.intake_phone,
        practice_url=practice.intake_url,
        acknowledge_by_local=f"by {local:%A} {local:%-I} {local:%p}".replace("AM", "am").replace(
            "PM", "pm"
        ),
        urgent=referral.urgency == "urgent",
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
    sealed = keyring.seal(
        orjson.dumps({"to": to, "subject": subject, "body": body}), associated_data(referral.id)
    )
    await conn.execute(QUEUE, referral.id, channel, sealed)
    await notify_after_commit(conn, CHANNEL)
    return True


class ConfirmationSender:
    def __init__(
        self, pool: asyncpg.Pool, keyring: Keyring, notifier: Notifier, poll_s: float = POLL_S
    ) -> None:
        self._pool, self._keyring, self._notifier = pool, keyring, notifier
        self._poll_s = poll_s
        self._wake = asyncio.Event()

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send until stopped. A database outage or a lost listening session pauses sending
        (the confirmations wait in their table) and never ends it."""
        await outlast_outages("patient confirmations", self._listen_and_send, self._poll_s)

    async def _listen_and_send(self) -> None:
        async with listening(self._pool, {CHANNEL: self._notified}) as listener:
            while not listener.is_closed():
                self._wake.clear()
                while await self.send_due():
                    pass
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_s)

    async def send_due(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(DUE)
            for row in rows:
                associated = associated_data(row["referral_id"])
                try:
                    sealed = self._keyring.open(bytes(row["sealed"]), associated)
                except CannotOpen:
                    # A key gone from the keyring or a tampered row: this one cannot be sent,
                    # and must not hold back the others.
                    await conn.execute(UNSENDABLE, row["id"])
                    log.error("patient confirmation cannot be opened", extra={"id": row["id"]})
                    continue
                message = orjson.loads(sealed)
                await audit(
                    conn,
                    SYSTEM,
                    "read",
                    "referral_patient",
                    str(row["referral_id"]),
                    purpose="patient_confirmation",
                )
                try:
                    await self._notifier.send(message["to"], message["subject"], message["body"])
                except NotificationFailed as exc:
                    seconds = exponential_delay(row["attempts"] + 1, RETRY_INITIAL_S, RETRY_MAX_S)
                    delay = timedelta(seconds=seconds)
                    await conn.execute(
                        RETRY, row["id"], datetime.now(UTC) + delay, exc.reason, MAX_ATTEMPTS
                    )
                    log.warning("patient confirmation not sent", extra={"error": exc.reason})
                    continue
                await conn.execute(SENT, row["id"])
            return len(rows)
