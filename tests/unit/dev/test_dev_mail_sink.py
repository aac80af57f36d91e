"""`warmlink dev`'s mail sink: a real SMTP server (aiosmtpd) that delivers into the state
folder's Maildir; the portal and the referral service started after it are pointed at it; the
portal's development mailbox reads what arrived, and finds nothing outside the Maildir."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from services.portal.adapters import dev_mailbox
from tools.dev.processes import free_port
from tools.dev.stack import DevStack, Infra


def _send(port: int, to: str, subject: str, text: str, html: bool = False) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "noreply@warmlink.example", to, subject
    message.set_content(text, subtype="html" if html else "plain")
    asyncio.run(aiosmtplib.send(message, hostname="127.0.0.1", port=port, start_tls=False))


def test_services_started_after_the_sink_mail_into_the_state_folder(tmp_path: Path) -> None:
    stack = DevStack(tmp_path, mail_port=free_port(), ports={"portal": 8005, "referral": 8003})
    stack.infra = Infra("127.0.0.1:1", {"portal": "postgresql://p", "referral": "postgresql://r"})
    assert "PORTAL_DEV_MAILBOX_DIR" not in stack.service_env("portal"), "no sink, no mailbox"
    stack.start_mail_sink()
    try:
        portal, referral = stack.service_env("portal"), stack.service_env("referral")
        assert portal["PORTAL_SMTP_PORT"] == str(stack.mail_port)
        assert portal["PORTAL_DEV_MAILBOX_DIR"] == str(tmp_path / "mail")
        assert portal["PORTAL_PUBLIC_URL"] == "http://127.0.0.1:8005"
        assert referral["REFERRAL_NOTIFY_CHANNEL"] == "smtp"
        assert referral["REFERRAL_SMTP_PORT"] == str(stack.mail_port)

        _send(stack.mail_port, "a@x.example.org", "First", "Open https://x.example/i/abc now.")
        _send(stack.mail_port, "b@x.example.org", "Second", "<p onclick='x'>hi</p>", html=True)
    finally:
        stack.stop()

    found = dev_mailbox.newest_first(tmp_path / "mail")
    assert sorted(m.subject for m in found) == ["First", "Second"]
    first = next(m for m in found if m.subject == "First")
    assert first.to == "a@x.example.org"
    assert first.pieces() == [
        ("Open ", False),
        ("https://x.example/i/abc", True),
        (" now.\n", False),
    ]
    again = dev_mailbox.one(tmp_path / "mail", first.id)
    assert again is not None and again.subject == "First"
    second = next(m for m in found if m.subject == "Second")
    assert second.text == "<p onclick='x'>hi</p>\n", "an HTML-only message is kept as its source"
    for key in ("../../etc/passwd", "nothing-here", ""):
        assert dev_mailbox.one(tmp_path / "mail", key) is None
