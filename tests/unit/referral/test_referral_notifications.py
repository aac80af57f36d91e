"""Notification adapters against a real local SMTP server (aiosmtpd) and a mocked SMS provider."""

from __future__ import annotations

import asyncio
import inspect
import json
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.referral.adapters.confirmation import Confirmation, render_confirmation, render_sms
from services.referral.adapters.notifications import (
    HttpSmsNotifier,
    NotificationFailed,
    Notifier,
    NullNotifier,
    SmtpNotifier,
    notifier_from_settings,
)

PATIENT_EMAIL = "zelphina.q@example.org"
PATIENT_PHONE = "+13125550147"
SENDER = "noreply@warmlink.example"
SMS_URL = "https://sms.provider.example/v1/messages"
CONFIRMATION = Confirmation(
    practice_name="Bloom Perinatal Therapy",
    practice_phone="(312) 555-0190",
    practice_url=None,
    acknowledge_by_local="by Tuesday 5 pm",
    urgent=True,
)


# --- a real SMTP server on a free local port ---


@dataclass
class Inbox:
    """aiosmtpd handler: keeps what it accepts; refuses recipients at `refused` domains."""

    refused: str | None = None
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refused and address.endswith(self.refused):
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox


@pytest.fixture
async def smtp_server() -> AsyncIterator[SmtpServer]:
    inbox = Inbox()
    # Port 0: the OS picks a free port; the server runs on the test's own event loop.
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(inbox, hostname="warmlink-test"), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    try:
        yield SmtpServer(port, inbox)
    finally:
        server.close()
        await server.wait_closed()


def smtp(server: SmtpServer, starttls: bool | None = None) -> SmtpNotifier:
    return SmtpNotifier(host="127.0.0.1", port=server.port, sender=SENDER, starttls=starttls)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens once the socket is closed


async def test_smtp_delivers_the_confirmation(smtp_server: SmtpServer) -> None:
    subject, body = render_confirmation(CONFIRMATION)

    await smtp(smtp_server).send(PATIENT_EMAIL, subject, body)

    [message] = smtp_server.inbox.messages
    assert smtp_server.inbox.recipients == [PATIENT_EMAIL]
    assert message["From"] == SENDER
    assert message["To"] == PATIENT_EMAIL
    assert message["Subject"] == subject
    assert message.get_content_type() == "text/plain"
    received = message.get_content()
    assert "Bloom Perinatal Therapy" in received
    assert "within a few business hours, by Tuesday 5 pm" in received  # urgent: hours
    assert "988" in received
    assert "1-800-944-4773" in received
    assert "1-833-TLC-MAMA" in received


async def test_smtp_refused_recipient_fails_without_naming_her(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.refused = "@example.org"

    with pytest.raises(NotificationFailed) as caught:
        await smtp(smtp_server).send(PATIENT_EMAIL, "subject", "body text")

    assert caught.value.reason == "smtp: SMTPRecipientsRefused"
    assert PATIENT_EMAIL not in str(caught.value)
    assert "body text" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert smtp_server.inbox.messages == []


async def test_smtp_insisting_on_tls_fails_when_the_server_cannot(smtp_server: SmtpServer) -> None:
    with pytest.raises(NotificationFailed, match=r"^smtp: "):
        await smtp(smtp_server, starttls=True).send(PATIENT_EMAIL, "subject", "body")
    assert smtp_server.inbox.messages == []


async def test_smtp_unreachable_server_fails() -> None:
    notifier = SmtpNotifier(host="127.0.0.1", port=closed_port(), sender=SENDER, timeout_s=2)
    with pytest.raises(NotificationFailed, match=r"^smtp: ") as caught:
        await notifier.send(PATIENT_EMAIL, "subject", "body")
    assert PATIENT_EMAIL not in str(caught.value)


async def test_smtp_header_injection_is_refused(smtp_server: SmtpServer) -> None:
    with pytest.raises(NotificationFailed, match="invalid recipient or header") as caught:
        await smtp(smtp_server).send(f"{PATIENT_EMAIL}\r\nBcc: x@evil.example", "s", "b")
    assert PATIENT_EMAIL not in str(caught.value)
    assert smtp_server.inbox.messages == []


def test_smtp_repr_hides_the_password() -> None:
    notifier = SmtpNotifier("h", 25, SENDER, username="u", password="hunter2-secret")
    assert "hunter2-secret" not in repr(notifier)


# --- the SMS provider (httpx MockTransport) ---


@dataclass
class Provider:
    status: int = 202
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json={"id": "msg-1"})


def sms(provider: Callable[[httpx.Request], httpx.Response]) -> HttpSmsNotifier:
    transport = httpx.MockTransport(provider)
    return HttpSmsNotifier(url=SMS_URL, api_key="sk-test-123", transport=transport)


async def test_sms_posts_json_with_a_bearer_key() -> None:
    provider = Provider()
    text = render_sms(CONFIRMATION)

    await sms(provider).send(PATIENT_PHONE, "ignored subject", text)

    [request] = provider.requests
    assert request.method == "POST"
    assert str(request.url) == SMS_URL
    assert request.headers["Authorization"] == "Bearer sk-test-123"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"to": PATIENT_PHONE, "body": text}
    assert "988" in json.loads(request.content)["body"]


@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
async def test_sms_provider_error_fails_with_the_status_only(status: int) -> None:
    with pytest.raises(NotificationFailed) as caught:
        await sms(Provider(status=status)).send(PATIENT_PHONE, "s", "the message body")

    assert caught.value.reason == f"sms: provider answered {status}"
    for secret in (PATIENT_PHONE, "5550147", "the message body", "sk-test-123"):
        assert secret not in str(caught.value)


async def test_sms_redirect_is_not_followed() -> None:
    # Following a redirect could carry the bearer key and the phone number to another host.
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"Location": "https://elsewhere.example/"})

    with pytest.raises(NotificationFailed, match="provider answered 307"):
        await sms(redirect).send(PATIENT_PHONE, "s", "b")


async def test_sms_transport_error_fails_without_the_phone() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout(f"timed out sending to {PATIENT_PHONE}", request=request)

    with pytest.raises(NotificationFailed) as caught:
        await sms(timeout).send(PATIENT_PHONE, "s", "b")

    assert caught.value.reason == "sms: ConnectTimeout"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_sms_repr_hides_the_key() -> None:
    assert "sk-live" not in repr(HttpSmsNotifier(url=SMS_URL, api_key="sk-live-999"))


# --- choosing a notifier ---


def test_notifier_from_settings() -> None:
    smtp_notifier = notifier_from_settings("smtp", host="mail", port=587, sender=SENDER)
    sms_notifier = notifier_from_settings("sms", url=SMS_URL, api_key="k", timeout_s=2.0)
    null_notifier = notifier_from_settings("none")

    assert smtp_notifier == SmtpNotifier("mail", 587, SENDER)
    assert isinstance(sms_notifier, HttpSmsNotifier) and sms_notifier.timeout_s == 2.0
    assert isinstance(null_notifier, NullNotifier)


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("pigeon", {}, "unknown notifier"),
        ("smtp", {"host": "mail", "port": 25}, "sender"),
        ("sms", {"url": SMS_URL, "api_key": "k", "bogus": 1}, "bogus"),
        ("none", {"host": "mail"}, "takes no options"),
    ],
)
def test_notifier_from_settings_refuses_bad_configuration(
    kind: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        notifier_from_settings(kind, **options)


async def test_null_notifier_does_nothing() -> None:
    notifier: Notifier = NullNotifier()
    assert await notifier.send(PATIENT_PHONE, "s", "b") is None  # type: ignore[func-returns-value]


def test_the_adapters_satisfy_the_protocol() -> None:
    notifiers: list[Notifier] = [
        NullNotifier(),
        SmtpNotifier("h", 25, SENDER),
        HttpSmsNotifier(url=SMS_URL, api_key="k"),
    ]
    for notifier in notifiers:
        assert isinstance(notifier, Notifier), type(notifier).__name__
        assert inspect.iscoroutinefunction(notifier.send), type(notifier).__name__
    # and the check can fail: something without `send` is no notifier
    assert not isinstance(object(), Notifier)
