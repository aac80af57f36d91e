"""Per-network thresholds come from the service's environment."""

from __future__ import annotations

import pytest

from services.screening.domain import score
from services.screening.settings import ScreeningSettings


def test_epds_cut_offs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_EPDS_POSSIBLE", "15")
    monkeypatch.setenv("SCREENING_EPDS_PROBABLE", "15")
    thresholds = ScreeningSettings().thresholds()
    eleven = [2, 2, 1, 2, 1, 2, 3, 3, 3, 3]  # item scores 2,2,2,2,2,1,0,0,0,0
    assert score("EPDS", eleven, thresholds).total == 11
    assert score("EPDS", eleven, thresholds).positive is False
    assert score("EPDS", eleven).positive is True  # the default cut-off is 10


def test_inconsistent_cut_offs_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_EPDS_POSSIBLE", "15")
    with pytest.raises(ValueError, match="epds"):
        ScreeningSettings()
