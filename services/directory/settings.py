from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from warmlink.settings import ServiceSettings


class DirectorySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DIRECTORY_", extra="ignore")
    service_name: ClassVar[str] = "directory"
    default_port: ClassVar[int] = 8002
