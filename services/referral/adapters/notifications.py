"""Delivery of the patient's confirmation: email over SMTP, SMS through an HTTP provider, or none.

Every failure is a `NotificationFailed` whose reason names the channel and the kind of failure only.
The recipient and the message are PHI (a phone number or address, and the name of a mental health
practice), and exception text ends up in logs and traces, so neither ever appears in the reason,
and the underlying exception is not chained (its text may quote the recipient).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import httpx

from warmlink.mail import MailNotSent, SmtpSender

# Every channel fails the same way: the SMTP sender is the runtime's (warmlink.mail), shared
# with the portal's mail.
NotificationFailed = MailNotSent
SmtpNotifier = SmtpSender


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
