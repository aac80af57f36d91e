"""SMS alerts through an HTTP provider (`PORTAL_ALERTS_SMS_URL`): `POST {"to", "body"}` with a
bearer API key and the alert's id as its Idempotency-Key, so a provider that honours the header
sends an alert retried after a crash once. Without a provider, in development, each SMS lands in
the mail sink as a mail marked SMS, to the person's address, so /dev/mailbox shows it.

A failure names the channel and the kind of failure only: the number stays off logs."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from warmlink.mail import MailNotSent, SmtpSender


@dataclass(frozen=True)
class HttpSms:
    url: str
    api_key: str = field(repr=False)
    timeout_s: float = 5.0

    async def send(self, phone: str, email: str, text: str, key: str) -> None:
        headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": key}
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False) as client:
                answer = await client.post(
                    self.url, json={"to": phone, "body": text}, headers=headers
                )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise MailNotSent(f"sms: {type(exc).__name__}") from None
        if not answer.is_success:
            raise MailNotSent(f"sms: provider answered {answer.status_code}")


@dataclass(frozen=True)
class SmsToMailSink:
    """Development only (the settings refuse it in production): the mail sink stands in."""

    mail: SmtpSender

    async def send(self, phone: str, email: str, text: str, key: str) -> None:
        await self.mail.send(email, f"SMS: {text}", text, key)


@dataclass(frozen=True)
class NoSms:
    async def send(self, phone: str, email: str, text: str, key: str) -> None:
        raise MailNotSent("sms: no SMS provider configured (PORTAL_ALERTS_SMS_URL)")
