"""The referral service refuses a confirmation channel it could not use, at startup."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.referral.settings import ReferralSettings


@pytest.mark.parametrize("url", [None, "", "sms.example.org/send"])
def test_sms_without_a_provider_url_is_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, url: str | None
) -> None:
    monkeypatch.setenv("REFERRAL_NOTIFY_CHANNEL", "sms")
    if url is not None:
        monkeypatch.setenv("REFERRAL_SMS_URL", url)
    with pytest.raises(ValidationError) as info:
        ReferralSettings()
    assert "REFERRAL_SMS_URL is not an http(s) URL" in str(info.value)


def test_sms_with_a_provider_url_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERRAL_NOTIFY_CHANNEL", "sms")
    monkeypatch.setenv("REFERRAL_SMS_URL", "https://sms.example.org/send")
    assert ReferralSettings().sms_url == "https://sms.example.org/send"


def test_no_sms_url_is_needed_for_email(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFERRAL_NOTIFY_CHANNEL", "smtp")
    assert ReferralSettings().notify_channel == "smtp"


def test_redirects_are_automatic_by_default_once_the_directory_credential_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not ReferralSettings().auto_redirects().on, "no credential: the site redirects"
    monkeypatch.setenv("REFERRAL_DIRECTORY_CLIENT_ID", "network-client")
    monkeypatch.setenv("REFERRAL_DIRECTORY_CLIENT_SECRET", "s3cret")
    assert ReferralSettings().auto_redirects().policy == "automatic"
    monkeypatch.setenv("REFERRAL_REDIRECT_POLICY", "propose")
    monkeypatch.setenv("REFERRAL_REDIRECT_PROPOSAL_HOURS", "0.5")
    proposing = ReferralSettings().auto_redirects()
    assert proposing.proposes and proposing.proposal_window.total_seconds() == 1800
