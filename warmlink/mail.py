"""Plain-text email through an SMTP relay (in development, `warmlink dev`'s mail sink): the
portal's invitations and the referral service's messages to patients.

A failure is a `MailNotSent` whose reason names the channel and the kind of failure only: the
recipient and the message may be PHI, exception text ends up in logs and traces, and a server's
reply may quote the recipient, so neither appears in the reason and the underlying exception is
not chained."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib


class MailNotSent(Exception):
    """The message was not handed over. `reason` is safe to log: it carries no PHI."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SmtpSender:
    """`starttls`: None upgrades whenever the server offers it, True insists (no upgrade, no
    message), False never tries (a local sink only). `implicit_tls`: TLS from the first byte
    (SMTPS, port 465), and then no STARTTLS. `cafile`: the CA of a relay the system's CAs do not
    sign. Credentials, if any, are sent after TLS is up."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool | None = None
    timeout_s: float = 10.0
    implicit_tls: bool = False
    cafile: str | None = None

    @property
    def encrypts(self) -> bool:
        """Whether nothing is sent unless the relay speaks TLS (what patients' mail needs)."""
        return self.implicit_tls or self.starttls is True

    async def send(self, to: str, subject: str, body: str, message_id: str | None = None) -> None:
        """`message_id`: the same on every attempt of one message, so a receiver that keeps each
        Message-ID once keeps one copy of a message sent again after a crash."""
        try:
            message = EmailMessage()
            message["From"] = self.sender
            message["To"] = to
            message["Subject"] = subject
            if message_id is not None:
                message["Message-ID"] = message_id
            message.set_content(body)
        except (ValueError, TypeError):
            # A header with a line break (an injected "Bcc:") or an unparsable address.
            raise MailNotSent("smtp: invalid recipient or header") from None
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=False if self.implicit_tls else self.starttls,
                tls_context=self._tls_context(),
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPResponseException as exc:
            # The reply code is safe; the server's text may quote the recipient.
            raise MailNotSent(f"smtp: server replied {exc.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
            raise MailNotSent(f"smtp: {type(exc).__name__}") from None

    def _tls_context(self) -> ssl.SSLContext | None:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else None
