"""Invitations without I/O: a link is pending until it expires, is used or is revoked; only the
token's digest is kept; the app's otpauth:// URI carries the secret; the mail carries the link
and nothing about any patient. And the portal's production guard: no development mailbox."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from pydantic import ValidationError

from services.portal.domain.credentials import new_totp_secret
from services.portal.domain.invitations import (
    Invitation,
    Standing,
    accept_link,
    invitation_mail,
    new_token,
    otpauth_uri,
    token_digest,
)
from services.portal.settings import PortalSettings
from warmlink.roles import PersonRole, Role

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def invitation(**changes: Any) -> Invitation:
    base = Invitation(
        id=uuid.uuid4(),
        organization_id="riverside-ob",
        role=PersonRole.MA,
        access_role=Role.CLINIC,
        email="new.ma@riverside-ob.example.org",
        token_sha256=token_digest(new_token()),
        totp_secret=new_totp_secret(),
        invited_by=uuid.uuid4(),
        created_at=NOW,
        expires_at=NOW + timedelta(hours=72),
    )
    return Invitation(**(base.__dict__ | changes))


def test_an_invitation_is_pending_until_it_expires_at_its_hour() -> None:
    open_one = invitation()
    assert open_one.standing(NOW + timedelta(hours=71, minutes=59)) is Standing.PENDING
    assert open_one.standing(NOW + timedelta(hours=72)) is Standing.EXPIRED


def test_used_or_revoked_say_so_even_after_expiry() -> None:
    later = NOW + timedelta(days=10)
    assert invitation(accepted_at=NOW).standing(later) is Standing.ACCEPTED
    assert invitation(revoked_at=NOW).standing(later) is Standing.REVOKED
    assert invitation(revoked_at=NOW).standing(NOW) is Standing.REVOKED


def test_only_a_digest_of_a_random_token_is_kept() -> None:
    token, other = new_token(), new_token()
    assert token != other and len(token) >= 43  # 32 random bytes, base64url
    assert token_digest(token) == token_digest(token)
    assert len(token_digest(token)) == 32 and token.encode() not in token_digest(token)
    assert token_digest(token) != token_digest(other)


def test_the_otpauth_uri_names_warmlink_and_her_email_and_carries_the_secret() -> None:
    secret = new_totp_secret()
    uri = otpauth_uri(secret, "new.ma@riverside-ob.example.org")
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP)
    assert parsed.secret == secret and parsed.issuer == "Warmlink"
    assert parsed.name == "new.ma@riverside-ob.example.org"
    assert parsed.now() == pyotp.TOTP(secret).now()


def test_the_mail_carries_the_link_its_expiry_and_nothing_else_about_anyone() -> None:
    link = accept_link("https://portal.example.org/", "TOKEN123")
    assert link == "https://portal.example.org/invitations/TOKEN123"
    subject, body = invitation_mail(link, "riverside-ob", NOW + timedelta(hours=72))
    assert subject == "You are invited to Warmlink"
    assert link in body and "riverside-ob" in body and "2026-03-05 10:00 UTC" in body
    assert "patient" not in (subject + body).lower()


PRODUCTION_READY = {
    "PORTAL_ENVIRONMENT": "production",
    "PORTAL_DATABASE_URL": "postgresql://portal@db.internal:5432/portal",
    "PORTAL_KAFKA_BOOTSTRAP_SERVERS": "kafka-1.internal:9093",
    "PORTAL_KAFKA_PROFILE": "kafka",
    "PORTAL_KAFKA_SECURITY_PROTOCOL": "SSL",
    "PORTAL_JWKS_URL": "https://directory.internal/.well-known/jwks.json",
    "PORTAL_JWT_ISSUER": "https://directory.internal",
    "PORTAL_SECRETS_KEY": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=",
    "PORTAL_PUBLIC_URL": "https://portal.example.org",
    "PORTAL_SCREENING_URL": "https://screening.internal",
    "PORTAL_DIRECTORY_URL": "https://directory.internal",
    "PORTAL_REFERRAL_URL": "https://referral.internal",
    "PORTAL_FOLLOWUP_URL": "https://followup.internal",
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("PORTAL_", "WARMLINK_")):
            monkeypatch.delenv(name)
    for name, value in PRODUCTION_READY.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("production")
def test_production_starts_without_the_mailbox_and_refuses_it_or_an_http_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert PortalSettings().dev_mailbox_dir is None
    monkeypatch.setenv("PORTAL_DEV_MAILBOX_DIR", str(tmp_path))
    with pytest.raises(ValidationError, match="DEV_MAILBOX_DIR"):
        PortalSettings()
    monkeypatch.delenv("PORTAL_DEV_MAILBOX_DIR")
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "http://portal.example.org")
    with pytest.raises(ValidationError, match="PUBLIC_URL must be https"):
        PortalSettings()


@pytest.mark.usefixtures("production")
def test_the_portal_process_refuses_to_start_in_production_with_a_mailbox(tmp_path: Path) -> None:
    env = dict(os.environ) | {"PORTAL_DEV_MAILBOX_DIR": str(tmp_path)}
    started = subprocess.run(
        [sys.executable, "-m", "services.portal"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode != 0
    assert "refusing to start in production" in started.stderr
    assert "DEV_MAILBOX_DIR" in started.stderr
