"""The loop that sends the patients' messages after their changes commit, each when it is due.

It wakes on the queue's notification (or every `poll_s`), sends what is due by its clock on the
message's own channel, drops what became moot and backs off what failed
(`adapters/patient_notifications.py`). A PHI read by the service itself (to address the message)
is audited like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

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


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ConfirmationSender:
    """`notifiers` by channel (`smtp`, `sms`): a message goes out on the channel it was queued
    for. `clock` says what is due (tests pass their own)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        keyring: Keyring,
        notifiers: Mapping[str, Notifier],
        poll_s: float = POLL_S,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._pool, self._keyring, self._notifiers = pool, keyring, notifiers
        self._poll_s, self._clock = poll_s, clock

    async def run(self) -> None:
        """Send until stopped. A database outage or a lost listening session pauses sending
        (the confirmations wait in their table) and never ends it."""
        await drain_when_notified(
            "patient confirmations", self._pool, store.CHANNEL, self.send_due, self._poll_s
        )

    async def send_due(self) -> int:
        now = self._clock()
        async with self._pool.acquire() as conn, conn.transaction():
            pending = await store.due(conn, now)
            for confirmation in pending:
                await self._send(conn, confirmation, now)
            return len(pending)

    async def _send(
        self, conn: Connection, pending: store.PendingConfirmation, now: datetime
    ) -> None:
        if pending.moot:
            # Overtaken (re-booked, cancelled, contact made, loop closed): never opened or sent.
            await store.mark_moot(conn, pending)
            return
        notifier = self._notifiers.get(pending.channel)
        if notifier is None:
            await store.retry_later(conn, pending, f"{pending.channel}: not configured", now)
            log.error("patient message for a channel not configured", extra={"id": pending.id})
            return
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
            purpose=f"patient_{pending.kind}",
        )
        try:
            await notifier.send(message["to"], message["subject"], message["body"])
        except NotificationFailed as exc:
            await store.retry_later(conn, pending, exc.reason, now)
            log.warning("patient confirmation not sent", extra={"error": exc.reason})
            return
        await store.mark_sent(conn, pending)
