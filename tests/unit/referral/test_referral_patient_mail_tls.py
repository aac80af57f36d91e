"""Her email and text messages go out encrypted in production: the email relay must speak TLS
(STARTTLS insisted on, or implicit TLS) or the service does not start, and an SMS provider on
plain http is refused at start. Development keeps its local sink (no TLS)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP
from pydantic import ValidationError

from services.portal.settings import PortalSettings
from services.referral.bootstrap import _notifier
from services.referral.settings import ReferralSettings
from tests.support.environment import no_service_environment  # noqa: F401 (a fixture)
from tests.support.tls import make_ca_and_server_cert
from tests.unit.referral.test_referral_notifications import Inbox
from tests.unit.runtime.test_runtime_settings import PRODUCTION_READY
from warmlink.mail import MailNotSent, SmtpSender

REFERRAL: dict[str, Any] = PRODUCTION_READY | {
    "phi_key": "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
    "directory_url": "https://directory.internal",
    "notify_channel": "smtp",
}
HER_EMAIL = "her@example.org"


pytestmark = pytest.mark.usefixtures("no_service_environment")


def test_production_refuses_patient_email_that_may_go_out_unencrypted() -> None:
    with pytest.raises(ValidationError, match="SMTP_STARTTLS=true or SMTP_IMPLICIT_TLS=true"):
        ReferralSettings(**REFERRAL)
    with pytest.raises(ValidationError, match="unencrypted"):
        ReferralSettings(**REFERRAL, smtp_starttls=False)


@pytest.mark.parametrize("tls", [{"smtp_starttls": True}, {"smtp_implicit_tls": True}])
def test_production_takes_patient_email_over_required_tls(tls: dict[str, bool]) -> None:
    notifier = _notifier(ReferralSettings(**REFERRAL, **tls), "smtp")
    assert isinstance(notifier, SmtpSender) and notifier.encrypts


def test_development_keeps_the_local_sink_without_tls() -> None:
    notifier = _notifier(ReferralSettings(notify_channel="smtp"), "smtp")
    assert isinstance(notifier, SmtpSender) and not notifier.encrypts


def test_production_refuses_an_sms_provider_on_plain_http() -> None:
    sms = {"notify_channel": "sms", "sms_url": "http://sms.example.org/send"}
    with pytest.raises(ValidationError, match="SMS_URL must be an https:// URL"):
        ReferralSettings(**REFERRAL | sms)
    https = ReferralSettings(**REFERRAL | sms | {"sms_url": "https://sms.example.org/send"})
    assert https.sms_url == "https://sms.example.org/send"
    assert ReferralSettings(**sms).sms_url == "http://sms.example.org/send"  # development


def test_production_refuses_the_portals_sms_alerts_on_plain_http() -> None:
    portal = (
        PRODUCTION_READY
        | {
            "secrets_key": "MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=",
            "public_url": "https://portal.example.org",
            "alerts_sms_url": "http://sms.example.org/send",
        }
        | {f"{n}_url": f"https://{n}.internal" for n in ("screening", "directory", "referral")}
    )
    with pytest.raises(ValidationError, match="ALERTS_SMS_URL must be an https:// URL"):
        PortalSettings(**portal, followup_url="https://followup.internal")


# --- real relays: one with implicit TLS, one offering STARTTLS, one offering nothing ---


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    ca, cert, key = make_ca_and_server_cert(tmp_path_factory.mktemp("smtp-tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return ca, context


async def _relay(inbox: Inbox, **smtp: Any) -> AsyncIterator[int]:
    tls = smtp.pop("implicit", None)
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(inbox, hostname="warmlink-test", **smtp), "127.0.0.1", 0, ssl=tls
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def test_implicit_tls_delivers_to_an_smtps_relay(
    certificates: tuple[Path, ssl.SSLContext],
) -> None:
    ca, context = certificates
    inbox = Inbox()
    async for port in _relay(inbox, implicit=context):
        sender = SmtpSender("127.0.0.1", port, "noreply@x.org", implicit_tls=True, cafile=str(ca))
        await sender.send(HER_EMAIL, "subject", "body")
    assert inbox.recipients == [HER_EMAIL]


async def test_required_starttls_delivers_once_upgraded(
    certificates: tuple[Path, ssl.SSLContext],
) -> None:
    ca, context = certificates
    inbox = Inbox()
    async for port in _relay(inbox, tls_context=context, require_starttls=True):
        sender = SmtpSender("127.0.0.1", port, "noreply@x.org", starttls=True, cafile=str(ca))
        await sender.send(HER_EMAIL, "subject", "body")
    assert inbox.recipients == [HER_EMAIL]


async def test_implicit_tls_sends_nothing_to_a_relay_without_tls() -> None:
    inbox = Inbox()
    async for port in _relay(inbox):
        sender = SmtpSender("127.0.0.1", port, "noreply@x.org", implicit_tls=True, timeout_s=3)
        with pytest.raises(MailNotSent, match=r"^smtp: "):
            await sender.send(HER_EMAIL, "subject", "body")
    assert inbox.messages == []
