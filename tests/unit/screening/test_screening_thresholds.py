"""Per-network cut-offs and their validation."""

import pytest

from services.screening.domain import Thresholds


def test_defaults_are_the_published_cutoffs() -> None:
    assert Thresholds() == Thresholds(
        epds_possible=10, epds_probable=13, phq9_positive=10, phq2_positive=3, gad7_positive=10
    )


def test_a_network_may_raise_the_epds_cutoff_antenatally() -> None:
    antenatal = Thresholds(epds_possible=15, epds_probable=15)
    assert antenatal.epds_possible == 15


@pytest.mark.parametrize(
    "overrides",
    [
        {"epds_possible": 0},
        {"epds_possible": 31, "epds_probable": 31},
        {"epds_probable": 31},
        {"phq9_positive": 0},
        {"phq9_positive": 28},
        {"phq2_positive": 7},
        {"gad7_positive": 22},
        {"gad7_positive": -1},
    ],
)
def test_cutoffs_outside_the_instrument_total_range_are_refused(overrides: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"must be within 1\.\."):
        Thresholds(**overrides)


def test_possible_above_probable_is_refused() -> None:
    with pytest.raises(ValueError, match=r"epds_possible .* must not exceed epds_probable"):
        Thresholds(epds_possible=15)  # probable stays 13


@pytest.mark.parametrize("value", [True, "10", 10.0])
def test_non_integer_cutoffs_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="must be an integer"):
        Thresholds(phq9_positive=value)  # type: ignore[arg-type]
