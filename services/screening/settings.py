"""Screening service settings: the shared runtime's, plus the network's screening thresholds."""

from __future__ import annotations

from typing import ClassVar

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from services.screening.domain import EpdsCutoffs, Thresholds
from warmlink.settings import ServiceSettings


class ScreeningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", extra="ignore")
    service_name: ClassVar[str] = "screening"
    default_port: ClassVar[int] = 8001
    seals: ClassVar[str | None] = "screening answers"

    # Per-network cut-offs (some networks use EPDS >= 15 antenatally).
    epds_possible: int = 10
    epds_probable: int = 13
    phq9_positive: int = 10
    phq2_positive: int = 3
    gad7_positive: int = 10
    # EPDS cut-offs of one period; each left unset takes the default one above.
    epds_antenatal_possible: int | None = None
    epds_antenatal_probable: int | None = None
    epds_postpartum_possible: int | None = None
    epds_postpartum_probable: int | None = None

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
            epds_antenatal=self._epds(
                "epds_antenatal", self.epds_antenatal_possible, self.epds_antenatal_probable
            ),
            epds_postpartum=self._epds(
                "epds_postpartum", self.epds_postpartum_possible, self.epds_postpartum_probable
            ),
        )

    def _epds(self, name: str, possible: int | None, probable: int | None) -> EpdsCutoffs | None:
        """A period's own cut-offs, or None when it has none (it then uses the default ones)."""
        if possible is None and probable is None:
            return None
        return EpdsCutoffs(
            possible=self.epds_possible if possible is None else possible,
            probable=self.epds_probable if probable is None else probable,
            name=name,
        )
