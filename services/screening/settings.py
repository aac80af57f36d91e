"""Screening service settings: the shared runtime's, plus the network's screening thresholds."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.screening.domain import Thresholds
from warmlink.settings import ServiceSettings


class ScreeningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", extra="ignore")
    service_name: ClassVar[str] = "screening"
    default_port: ClassVar[int] = 8001

    # Per-network cut-offs (some networks use EPDS >= 15 antenatally).
    epds_possible: int = 10
    epds_probable: int = 13
    phq9_positive: int = 10
    phq2_positive: int = 3
    gad7_positive: int = 10

    @model_validator(mode="after")
    def _thresholds_are_consistent(self) -> ScreeningSettings:
        self.thresholds()  # raises ValueError: a misconfigured network refuses to start
        return self

    def thresholds(self) -> Thresholds:
        return Thresholds(
            epds_possible=self.epds_possible,
            epds_probable=self.epds_probable,
            phq9_positive=self.phq9_positive,
            phq2_positive=self.phq2_positive,
            gad7_positive=self.gad7_positive,
        )
