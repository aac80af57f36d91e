from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from warmlink.settings import ServiceSettings


class FollowupSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FOLLOWUP_", extra="ignore")
    service_name: ClassVar[str] = "followup"
    default_port: ClassVar[int] = 8004
