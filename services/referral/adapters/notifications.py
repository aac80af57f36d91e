"""Delivery of the patient's confirmation: email over SMTP, SMS through an HTTP provider, or none.

Every failure is a `NotificationFailed` whose reason names the channel and the kind of failure only.
The recipient and the message are PHI (a phone number or address, and the name of a mental health
practice), and exception text ends up in logs and traces, so neither ever appears in the reason,
and the underlying exception is not chained (its text may quote the recipient).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol, runtime_checkable

import aiosmtplib
import httpx


class NotificationFailed(Exception):
    """The message was not handed over. `reason` is safe to log: it carries no PHI."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class Notifier(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None:
        """Hand one plain-text message for `to` to the channel, or raise NotificationFailed."""
        ...


class NullNotifier:
    """Sends nothing and records nothing: for networks that confirm on paper or in person."""

    async def send(self, to: str, subject: str, body: str) -> None:
        return None


@dataclass(frozen=True)
class SmtpNotifier:
    """Plain-text email through an SMTP relay.

    `starttls`: None upgrades to TLS whenever the server offers it, True insists on it, False never
    tries (a local relay only). Credentials, if any, are sent after the upgrade.
    """

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool | None = None
    timeout_s: float = 10.0

    async def send(self, to: str, subject: str, body: str) -> None:
        try:
            message = EmailMessage()
            message["From"] = self.sender
            message["To"] = to
            message["Subject"] = subject
            message.set_content(body)
        except (ValueError, TypeError):
            # A header with a line break (an injected "Bcc:") or an unparsable address.
            raise NotificationFailed("smtp: invalid recipient or header") from None
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                start_tls=self.starttls,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPResponseException as exc:
            # The reply code is safe; the server's text may quote the recipient.
            raise NotificationFailed(f"smtp: server replied {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
            raise NotificationFailed(f"smtp: {type(exc).__name__}") from None


@dataclass(frozen=True)
class HttpSmsNotifier:
    """SMS through a provider that takes `POST {"to": ..., "body": ...}` with a bearer API key.

    SMS has no subject, so `subject` is dropped: pass the SMS rendering as `body`.
    `transport` is for tests (httpx.MockTransport); production uses the default network transport.
    """

    url: str
    api_key: str = field(repr=False)
    timeout_s: float = 5.0
    transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)

    async def send(self, to: str, subject: str, body: str) -> None:
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout_s, transport=self.transport, follow_redirects=False
            ) as client:
                response = await client.post(
                    self.url,
                    json={"to": to, "body": body},
                    headers={"Authorization": f"Bearer {self.api_key}"},
                )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise NotificationFailed(f"sms: {type(exc).__name__}") from None
        if not response.is_success:
            raise NotificationFailed(f"sms: provider answered {response.status_code}")


def notifier_from_settings(kind: str, **options: Any) -> Notifier:
    """The notifier for a `notify_channel` setting: "smtp", "sms" or "none".

    `options` are the chosen notifier's constructor arguments: for "smtp" host, port, sender and
    optionally username, password, starttls, timeout_s; for "sms" url, api_key and optionally
    timeout_s. "none" takes none.
    """
    if kind == "none":
        if options:
            raise ValueError(f"notifier 'none' takes no options, got {sorted(options)}")
        return NullNotifier()
    factories: dict[str, type[SmtpNotifier] | type[HttpSmsNotifier]] = {
        "smtp": SmtpNotifier,
        "sms": HttpSmsNotifier,
    }
    if kind not in factories:
        raise ValueError(f"unknown notifier {kind!r}: expected smtp, sms or none")
    try:
        return factories[kind](**options)
    except TypeError as exc:  # a missing or unknown option: a configuration error
        raise ValueError(f"notifier {kind!r}: {exc}") from None
