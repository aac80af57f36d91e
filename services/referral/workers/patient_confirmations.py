"""The loop that sends the patients' confirmations after their referrals commit.

It wakes on the queue's notification (or every `poll_s`), sends what is due and backs off what
failed (`adapters/patient_notifications.py`). A PHI read by the service itself (to address the
message) is audited like any other.
"""

from __future__ import annotations

import logging

import asyncpg

from services.referral.adapters import patient_notifications as store
from services.referral.adapters.notifications import NotificationFailed, Notifier
from warmlink.audit import audit
from warmlink.auth import Caller, Role
from warmlink.crypto import Keyring
from warmlink.db import Connection, drain_when_notified

log = logging.getLogger(__name__)

POLL_S = 5.0
SYSTEM = Caller("referral-service", "warmlink-network", Role.ADMIN)


class ConfirmationSender:
    def __init__(
        self, pool: asyncpg.Pool, keyring: Keyring, notifier: Notifier, poll_s: float = POLL_S
    ) -> None:
        self._pool, self._keyring, self._notifier = pool, keyring, notifier
        self._poll_s = poll_s

    async def run(self) -> None:
        """Send until stopped. A database outage or a lost listening session pauses sending
        (the confirmations wait in their table) and never ends it."""
        await drain_when_notified(
            "patient confirmations", self._pool, store.CHANNEL, self.send_due, self._poll_s
        )

    async def send_due(self) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            pending = await store.due(conn)
            for confirmation in pending:
                await self._send(conn, confirmation)
            return len(pending)

    async def _send(self, conn: Connection, pending: store.PendingConfirmation) -> None:
        message = store.opened(self._keyring, pending)
        if message is None:
            # It cannot be sent, and must not hold back the others.
            await store.mark_unsendable(conn, pending)
            log.error("patient confirmation cannot be opened", extra={"id": pending.id})
            return
        await audit(
            conn,
            SYSTEM,
            "read",
            "referral_patient",
            str(pending.referral_id),
            purpose="patient_confirmation",
        )
        try:
            await self._notifier.send(message["to"], message["subject"], message["body"])
        except NotificationFailed as exc:
            await store.retry_later(conn, pending, exc.reason)
            log.warning("patient confirmation not sent", extra={"error": exc.reason})
            return
        await store.mark_sent(conn, pending)
