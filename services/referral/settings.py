from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from warmlink.settings import ServiceSettings


class ReferralSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRAL_", extra="ignore")
    service_name: ClassVar[str] = "referral"
    default_port: ClassVar[int] = 8003
