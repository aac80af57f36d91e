"""Portal settings: the shared runtime's, plus where the other services are, the portal's own
client at the directory, how long sessions last, and how invitations are mailed."""

from __future__ import annotations

import json
from datetime import time, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.portal.domain.invitations import InvitationPolicy
from services.portal.domain.people import LockoutPolicy
from services.portal.domain.sessions import SessionPolicy
from warmlink.crypto import Keyring
from warmlink.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")
    service_name: ClassVar[str] = "portal"
    default_port: ClassVar[int] = 8005
    seals: ClassVar[str | None] = "people's secrets"
    https_urls: ClassVar[dict[str, str]] = {
        "directory_url": "the portal's client secret (POST /oauth/token) and people's tokens",
        "screening_url": "people's bearer tokens",
        "referral_url": "people's bearer tokens",
        "followup_url": "people's bearer tokens",
        "alerts_sms_url": "people's phone numbers, their alerts and the provider's API key",
    }

    screening_url: str = "http://127.0.0.1:8001"
    directory_url: str = "http://127.0.0.1:8002"
    referral_url: str = "http://127.0.0.1:8003"
    followup_url: str = "http://127.0.0.1:8004"
    api_timeout_s: float = 5.0
    # Matching: telehealth licensed in the network's state; a hospital's planned discharge is
    # entered in the network's time zone.
    network_state: str = "IL"
    network_time_zone: str = "America/Chicago"
    # The portal's client at the directory (one that acts for people): a JSON file with
    # client_id and client_secret (`make run` writes portal-client.json), or the two settings.
    client_file: Path | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # Seals each person's TOTP secret at rest (base64 of 32 random bytes; `make run` makes one).
    # The older single-key form of SEAL_KEYS / SEAL_KEY_ID: it joins the key ring.
    secrets_key: SecretStr | None = None
    secrets_key_id: str = "portal-1"

    # How many referrals one page of the site's list shows (older ones are on the next page).
    referrals_page_size: int = Field(25, ge=1, le=500)

    session_idle_s: int = 15 * 60
    session_max_s: int = 12 * 3600
    session_sweep_interval_s: float = 60.0
    lockout_threshold: int = 5
    lockout_first_s: int = 60
    lockout_longest_s: int = 3600
    # Secure cookies: browsers keep them on http://127.0.0.1 and localhost too.
    cookie_secure: bool = True
    # The portal's address as browsers reach it: invitation links start with it, and
    # organizations' identity providers send people back to
    # <public_url>/sign-in/organization/callback (register it there as the redirect URI).
    # Unset: http://127.0.0.1:<port> outside production; production requires an https:// one.
    public_url: str | None = None
    # A sign-in through an organization's provider must come back within this.
    organization_sign_in_within_s: int = 600
    # Providers' discovery documents and keys are kept this long (an unknown key id is fetched
    # again sooner).
    oidc_keep_s: int = 3600

    # Invitations: how long a link lasts, and the SMTP relay the mail goes through (`make run`'s
    # mail sink).
    invitation_lifetime_h: float = Field(72.0, gt=0)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "noreply@warmlink.example"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # None: upgrade to TLS when the relay offers it; true: insist; false: never (a local sink).
    smtp_starttls: bool | None = None
    mail_poll_s: float = Field(5.0, gt=0)
    # Alerts (docs/design.md, "Alerts"): the sender's fallback poll, the local hour of the daily
    # digest, and the HTTP SMS provider (POST {"to", "body"}, bearer key). Without a provider,
    # SMS alerts land in the development mail sink (when DEV_MAILBOX_DIR is set) or fail, visibly.
    alerts_poll_s: float = Field(5.0, gt=0)
    alerts_digest_at: time = time(7, 0)
    alerts_sms_url: str | None = None
    alerts_sms_api_key: SecretStr | None = None
    # Her status page (/s/<token>, no account): requests per minute per client address and per
    # link before it answers 429.
    status_page_per_minute: int = Field(10, ge=1)
    # Development only: the Maildir `warmlink dev`'s mail sink writes, shown at /dev/mailbox.
    # Unset, that page is a 404; production refuses to start with it set.
    dev_mailbox_dir: Path | None = None

    @model_validator(mode="after")
    def _refuse_dev_settings_in_production(self) -> PortalSettings:
        self.public_url = self.public_url or None  # compose passes an unset one as ""
        if self.environment != "production":
            return self
        problems = []
        if self.dev_mailbox_dir is not None:
            problems.append(
                "DEV_MAILBOX_DIR shows every message sent (invitation links) to anyone: unset it"
            )
        if not (self.public_url or "").startswith("https://"):
            problems.append(
                "PUBLIC_URL must be https://: invitation links carry a credential, and identity "
                "providers send people back there"
            )
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    @property
    def base_url(self) -> str:
        """The portal's address as browsers reach it (PUBLIC_URL, required in production)."""
        return self.public_url or f"http://127.0.0.1:{self.http_port or self.default_port}"

    @property
    def redirect_uri(self) -> str | None:
        """Where organizations' providers send people back; None when it cannot be known."""
        return self.base_url.rstrip("/") + "/sign-in/organization/callback"

    @property
    def allows_http_issuers(self) -> bool:
        """An identity provider on plain http: a test's or a developer's, never production's."""
        return self.environment != "production"

    def legacy_seal_key(self) -> tuple[str, str] | None:
        key = self.secrets_key
        return (self.secrets_key_id, key.get_secret_value()) if key else None

    def keyring(self) -> Keyring:
        return self.required_seal_keyring()

    def client_credentials(self) -> tuple[str, str]:
        """Read when first needed: `make run` writes the file once the directory is up."""
        secret = self.client_secret.get_secret_value() if self.client_secret else ""
        if self.client_id and secret:
            return self.client_id, secret
        if self.client_file is None:
            raise RuntimeError("PORTAL_CLIENT_FILE (or PORTAL_CLIENT_ID/SECRET) is not set")
        found = json.loads(self.client_file.read_text())
        return str(found["client_id"]), str(found["client_secret"])

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.network_time_zone)

    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(seconds=self.session_idle_s),
            longest=timedelta(seconds=self.session_max_s),
        )

    def lockout_policy(self) -> LockoutPolicy:
        return LockoutPolicy(
            self.lockout_threshold,
            timedelta(seconds=self.lockout_first_s),
            timedelta(seconds=self.lockout_longest_s),
        )

    def invitation_policy(self) -> InvitationPolicy:
        return InvitationPolicy(timedelta(hours=self.invitation_lifetime_h), self.base_url)
