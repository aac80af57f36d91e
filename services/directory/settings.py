"""Directory service settings: the shared runtime's, plus identity and capacity freshness."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from warmlink.crypto import Keyring
from warmlink.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore")
    service_name: ClassVar[str] = "directory"
    default_port: ClassVar[int] = 8002
    seals: ClassVar[str | None] = "the token signing keys"

    # Seals the token signing keys at rest (base64 of 32 random bytes; `warmlink dev` makes one).
    # The older single-key form of SEAL_KEYS / SEAL_KEY_ID: it joins the key ring.
    key_encryption_key: SecretStr | None = None
    key_encryption_key_id: str = "kek-1"
    # Short-lived tokens: a suspended organization is locked out within one lifetime.
    token_ttl_s: int = 600
    # A person's token (the portal's token exchange): shorter still; at most token_ttl_s, for
    # which a retired signing key stays published.
    person_token_ttl_s: int = 300
    # Capacity nobody confirmed for longer than this is stale: shown as such and ranked lower.
    capacity_max_age_hours: int = 168
    # The most records one page of an HSDS list holds, and its default size: the whole directory
    # in one answer grew with the network. `per_page` may ask for fewer.
    hsds_page_max: int = Field(500, ge=1)
    # This long before it goes stale, the practice is told once (CapacityNearingStale), and the
    # portal reminds its intake staff to confirm it.
    capacity_nearing_stale_lead_hours: int = Field(48, ge=1)
    # How often ageing capacity is looked for and announced stale (CapacityUpdated stale=True).
    stale_sweep_interval_s: float = 60.0
    # Observed behaviour (time to acknowledge, attendance...) looks back this far.
    observed_window_days: int = 90

    @model_validator(mode="after")
    def _tokens_live_no_longer_than_verifiers_accept(self) -> DirectorySettings:
        if self.token_ttl_s > self.jwt_max_lifetime_s:
            raise ValueError(
                f"TOKEN_TTL_S ({self.token_ttl_s}) is longer than JWT_MAX_LIFETIME_S "
                f"({self.jwt_max_lifetime_s}): every service would refuse the tokens"
            )
        return self

    @model_validator(mode="after")
    def _person_tokens_outlive_no_key(self) -> DirectorySettings:
        if not 0 < self.person_token_ttl_s <= self.token_ttl_s:
            raise ValueError("PERSON_TOKEN_TTL_S must be positive and at most TOKEN_TTL_S")
        return self

    def legacy_seal_key(self) -> tuple[str, str] | None:
        key = self.key_encryption_key
        return (self.key_encryption_key_id, key.get_secret_value()) if key else None

    def keyring(self) -> Keyring:
        return self.required_seal_keyring()

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(seconds=self.token_ttl_s)

    @property
    def capacity_max_age(self) -> timedelta:
        return timedelta(hours=self.capacity_max_age_hours)

    @property
    def capacity_nearing_stale_lead(self) -> timedelta:
        return timedelta(hours=self.capacity_nearing_stale_lead_hours)

    @property
    def observed_window(self) -> timedelta:
        return timedelta(days=self.observed_window_days)
