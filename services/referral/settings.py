"""Referral service settings: the shared runtime's plus PHI keys, the directory, notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.referral.domain.auto_redirect import AutoRedirects, RedirectPolicy
from services.referral.domain.redirect import DEFAULT_APPOINTMENT_WITHIN_DAYS
from services.referral.subscriptions.domain.config import SubscriptionSettings
from warmlink.crypto import Keyring
from warmlink.settings import ServiceSettings


class ReferralSettings(SubscriptionSettings, ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")
    service_name: ClassVar[str] = "referral"
    default_port: ClassVar[int] = 8003
    seals: ClassVar[str | None] = "patient details"
    https_urls: ClassVar[dict[str, str]] = {
        "directory_url": "the network's client secret (POST /oauth/token) and bearer tokens",
        "sms_url": "her phone number, her message and the provider's API key",
    }

    # Seals patient details at rest (base64 of 32 random bytes; `warmlink dev` makes one).
    # The older single-key form of SEAL_KEYS / SEAL_KEY_ID: it joins the key ring.
    phi_key: SecretStr | None = None
    phi_key_id: str = "phi-1"
    # The directory: practice names and intake contacts at submission, next matches on decline.
    directory_url: str = "http://127.0.0.1:8002"
    directory_timeout_s: float = 3.0
    # How long a practice's listing (name, intake contacts, hours, suspended or not) is reused:
    # a suspension reaches submissions within this.
    directory_listing_keep_s: float = Field(60.0, ge=0)
    # Days from submission within which her first appointment must fall, by urgency; a later
    # one makes the referral redirectable (no_timely_appointment). Env: a JSON object.
    appointment_within_days: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_APPOINTMENT_WITHIN_DAYS)
    )
    # Redirects the network makes by itself on a decline, a missed acknowledgement or a
    # too-late first appointment: `automatic` (the site is told), `propose` (the site may keep it
    # or redirect it within REDIRECT_PROPOSAL_HOURS, else it moves) or `manual` (only the site).
    # Without the directory credentials below the service cannot look up matches and runs
    # `manual`, with a warning at start.
    redirect_policy: RedirectPolicy = RedirectPolicy.AUTOMATIC
    redirect_proposal_hours: float = Field(4.0, gt=0)
    redirect_poll_s: float = Field(5.0, gt=0)  # how often due redirects are looked for
    # The network's client credentials (`POST /v1/organizations/{network org}/clients`): the
    # service's own token for the directory's matches, which no caller passes to a worker.
    directory_client_id: str | None = None
    directory_client_secret: SecretStr | None = None
    # The largest document a referral carries (the IOP/PHP discharge summary); larger is a 413.
    document_max_bytes: int = Field(5 * 1024 * 1024, ge=1)

    # The patient's confirmation: email over SMTP, SMS through an HTTP provider, or none.
    notify_channel: Literal["none", "smtp", "sms"] = "none"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "noreply@warmlink.example"
    # Her email names a mental-health practice: None upgrades to TLS when the relay offers it
    # (development's local sink offers none), true insists (nothing is sent otherwise), false
    # never tries. SMTP_IMPLICIT_TLS: TLS from the first byte (port 465). Production requires one
    # of the two. SMTP_CAFILE: the relay's CA when the system's CAs do not sign it.
    smtp_starttls: bool | None = None
    smtp_implicit_tls: bool = False
    smtp_cafile: str | None = None
    sms_url: str | None = None
    sms_api_key: SecretStr | None = None
    # Where people reach the portal: her messages link to her status page, <portal_url>/s/<token>.
    portal_url: str = "http://127.0.0.1:8005"

    def patient_channels(self) -> tuple[str, ...]:
        """What she may be messaged on: the network's channel first, and SMS too when an email
        network also configures an SMS provider (REFERRAL_SMS_URL), so she may choose it."""
        if self.notify_channel == "none":
            return ()
        if self.notify_channel == "smtp" and (self.sms_url or "").startswith(
            ("https://", "http://")
        ):
            return ("smtp", "sms")
        return (self.notify_channel,)

    @model_validator(mode="after")
    def _patient_email_encrypted_in_production(self) -> ReferralSettings:
        if self.smtp_implicit_tls and self.smtp_starttls is not None:
            raise ValueError(
                "REFERRAL_SMTP_IMPLICIT_TLS and REFERRAL_SMTP_STARTTLS exclude each other"
            )
        encrypted = self.smtp_implicit_tls or self.smtp_starttls is True
        if self.environment == "production" and "smtp" in self.patient_channels() and not encrypted:
            raise ValueError(
                "refusing to start in production: patients' email would go out unencrypted "
                "when the relay offers no TLS: set SMTP_STARTTLS=true or SMTP_IMPLICIT_TLS=true"
            )
        return self

    @model_validator(mode="after")
    def _sms_needs_its_provider(self) -> ReferralSettings:
        # Found at startup, not at the first confirmation: a sender without a provider would
        # fail every message while the service looked healthy.
        if self.notify_channel == "sms" and not (self.sms_url or "").startswith(
            ("https://", "http://")
        ):
            raise ValueError(
                "REFERRAL_NOTIFY_CHANNEL is 'sms' but REFERRAL_SMS_URL is not an http(s) URL "
                f"(got {self.sms_url!r})"
            )
        return self

    def auto_redirects(self) -> AutoRedirects:
        """The redirect policy in force: `manual` when no directory credential is configured."""
        if not self.directory_credentials():
            return AutoRedirects()
        window = timedelta(hours=self.redirect_proposal_hours)
        return AutoRedirects(self.redirect_policy, window)

    def directory_credentials(self) -> tuple[str, str] | None:
        if not self.directory_client_id or self.directory_client_secret is None:
            return None
        return self.directory_client_id, self.directory_client_secret.get_secret_value()

    def legacy_seal_key(self) -> tuple[str, str] | None:
        return (self.phi_key_id, self.phi_key.get_secret_value()) if self.phi_key else None

    def keyring(self) -> Keyring:
        return self.required_seal_keyring()
