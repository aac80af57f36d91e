"""The loop that sends the portal's mail (invitations) after the transactions that wrote it.

It wakes on the queue's notification (or every `mail_poll_s`), sends what is due and backs off
what failed (`adapters/outgoing_mail.py`): a relay that is down delays the mail, it loses none.
The log names the message's id and the kind of failure, never its address or link."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import asyncpg

from services.portal.adapters import outgoing_mail as store
from warmlink.crypto import Keyring
from warmlink.db import Connection, drain_when_notified
from warmlink.mail import MailNotSent

log = logging.getLogger(__name__)


class Sender(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None: ...


class MailSender:
    def __init__(
        self,
        pool: asyncpg.Pool,
        keyring: Keyring,
        sender: Sender,
        clock: Callable[[], datetime],
        poll_s: float,
    ) -> None:
        self._pool, self._keyring, self._sender = pool, keyring, sender
        self._clock, self._poll_s = clock, poll_s

    async def run(self) -> None:
        """Send until stopped; a database outage pauses sending (the mail waits in its table)."""
        await drain_when_notified(
            "outgoing mail", self._pool, store.CHANNEL, self.send_due, self._poll_s
        )

    async def send_due(self) -> int:
        """Sends (or backs off) the messages due now; how many it tried."""
        async with self._pool.acquire() as conn, conn.transaction():
            pending = await store.due(conn, self._clock())
            for mail in pending:
                await self._send(conn, mail)
            return len(pending)

    async def _send(self, conn: Connection, pending: store.PendingMail) -> None:
        mail = store.opened(self._keyring, pending)
        if mail is None:
            await store.mark_unsendable(conn, pending)
            log.error("outgoing mail cannot be opened", extra={"id": pending.id})
            return
        try:
            await self._sender.send(mail.to, mail.subject, mail.body)
        except MailNotSent as exc:
            await store.retry_later(conn, pending, exc.reason, self._clock())
            log.warning("mail not sent", extra={"id": pending.id, "error": exc.reason})
            return
        await store.mark_sent(conn, pending, self._clock())
