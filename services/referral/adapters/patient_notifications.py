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
from warmlink.crypto import Keyring
from warmlink.db import Executor, notify_after_commit

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
MAX_ATTEMPTS = 10
SYSTEM = Caller("referral-service", "warmlink-network", Role.ADMIN)


def _associated(referral_id: object) -> bytes:
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
        orjson.dumps({"to": to, "subject": subject, "body": body}), _associated(referral.id)
    )
    await conn.execute(QUEUE, referral.id, channel, sealed)
    await notify_after_commit(conn, CHANNEL)
    return True


class ConfirmationSender:
    def __init__(self, pool: asyncpg.Pool, keyring: Keyring, notifier: Notifier) -> None:
        self._pool, self._keyring, self._notifier = pool, keyring, notifier
        self._wake = asyncio.Event()

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def run(self) -> None:
        async with self._pool.acquire() as listener:
            await listener.add_listener(CHANNEL, self._notified)
            try:
                while True:
                    self._wake.clear()
                    while await self.send_due():
                        pass
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), 5.0)
            finally:
                await listener.remove_listener(CHANNEL, self._notified)

    async def send_due(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(DUE)
            for row in rows:
                message = orjson.loads(
                    self._keyring.open(bytes(row["sealed"]), _associated(row["referral_id"]))
                )
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
                    delay = timedelta(seconds=min(3600, 5 * 2 ** row["attempts"]))
                    await conn.execute(
                        RETRY, row["id"], datetime.now(UTC) + delay, exc.reason, MAX_ATTEMPTS
                    )
                    log.warning("patient confirmation not sent", extra={"error": exc.reason})
                    continue
                await conn.execute(SENT, row["id"])
            return len(rows)
