"""Portal settings: the shared runtime's, plus where the other services are, the portal's own
client at the directory, and how long sessions last."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.portal.domain.people import LockoutPolicy
from services.portal.domain.sessions import SessionPolicy
from warmlink.crypto import Keyring
from warmlink.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")
    service_name: ClassVar[str] = "portal"
    default_port: ClassVar[int] = 8005

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

    @model_validator(mode="after")
    def _secrets_key_required_in_production(self) -> PortalSettings:
        if self.environment == "production" and self.secrets_key is None:
            raise ValueError("refusing to start in production: SECRETS_KEY is not set")
        return self

    def keyring(self) -> Keyring:
        if self.secrets_key is None:
            raise RuntimeError("PORTAL_SECRETS_KEY is not set")
        return Keyring.single(self.secrets_key_id, self.secrets_key.get_secret_value())

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
