"""The loop that sends people's alerts after the consumer's transactions that decided them.

It wakes on the alerts' notification (or every `alerts_poll_s`) and sends what is due, one alert
(or one person's digest) per transaction: the row stays locked while it is handed over and is
marked sent in the same transaction. A sender killed between the hand-over and the commit leaves
the alert pending, and it is sent again with the same Message-ID (SMS: Idempotency-Key), which
a receiver that keeps each Message-ID once (the development mail sink does) keeps once; that
window is the one place SMTP cannot be made exactly-once. Failures are retried with back-off and
stay visible on /alerts. The log names the alert's id and the kind of failure, never an address
or a number."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg

from services.portal.adapters import alerts as store
from services.portal.adapters.alert_choices import phone_bound_to
from services.portal.domain import alert_messages as words
from services.portal.domain.alerts import Channel
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import drain_when_notified
from warmlink.mail import MailNotSent

log = logging.getLogger(__name__)
BATCH = 50  # alerts per drain before the loop looks at its notifications again


class Mail(Protocol):
    async def send(
        self, to: str, subject: str, body: str, message_id: str | None = None
    ) -> None: ...


class Sms(Protocol):
    async def send(self, phone: str, email: str, text: str, key: str) -> None: ...


@dataclass
class AlertSender:
    pool: asyncpg.Pool
    keyring: Keyring
    mail: Mail
    sms: Sms
    base_url: str
    clock: Callable[[], datetime]
    poll_s: float

    async def run(self) -> None:
        """Send until stopped; a database outage pauses sending (the alerts wait in their table)."""
        await drain_when_notified("alerts", self.pool, store.CHANNEL, self.send_due, self.poll_s)

    async def send_due(self) -> int:
        """Sends (or backs off) up to BATCH alerts due now; how many it tried."""
        tried = 0
        while tried < BATCH:
            async with self.pool.acquire() as conn, conn.transaction():
                due = await store.next_due(conn, self.clock())
                if due is None:
                    return tried
                if due.disabled:
                    await store.drop(conn, due)
                    tried += 1
                    continue
                try:
                    await self._hand_over(due)
                except MailNotSent as exc:
                    await store.retry_later(conn, due, exc.reason, self.clock())
                    log.warning("alert not sent", extra={"id": due.ids[0], "error": exc.reason})
                else:
                    await store.mark_sent(conn, due, self.clock())
            tried += 1
        return tried

    async def _hand_over(self, due: store.Due) -> None:
        if due.channel is Channel.SMS and due.phone is not None:
            try:
                phone = self.keyring.open(due.phone, phone_bound_to(due.person_id)).decode()
            except CannotOpen:
                raise MailNotSent("sms: the saved number cannot be opened") from None
            text = words.sms_text(due.alert, self.base_url)
            await self.sms.send(phone, due.email, text, due.message_id)
            return
        if due.digest is not None:
            subject = words.digest_subject(len(due.digest))
            body = words.digest_body(due.digest, self.base_url)
        else:
            subject, body = words.subject(due.alert), words.body(due.alert, self.base_url)
        await self.mail.send(due.email, subject, body, due.message_id)
