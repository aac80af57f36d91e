"""The instruments as data: shapes, scoring keys and codes."""

import pytest

from services.screening.domain import EPDS, GAD7, INSTRUMENTS, PHQ2, PHQ9, InvalidScreening
from services.screening.domain.instruments import get_instrument


@pytest.mark.parametrize(
    ("name", "items", "max_total", "safety_index", "panel", "total_code"),
    [
        ("EPDS", 10, 30, 9, "71354-5", "99046-5"),
        ("PHQ-9", 9, 27, 8, "44249-1", "44261-6"),
        ("PHQ-2", 2, 6, None, None, "55758-7"),
        ("GAD-7", 7, 21, None, None, "70274-6"),
    ],
)
def test_instrument_shape_and_codes_match_the_domain_notes(
    name: str,
    items: int,
    max_total: int,
    safety_index: int | None,
    panel: str | None,
    total_code: str,
) -> None:
    spec = INSTRUMENTS[name]
    assert spec.name == name
    assert spec.item_count == items
    assert spec.option_count == 4
    assert spec.max_total == max_total
    assert spec.safety_item_index == safety_index
    assert spec.panel_loinc == panel
    assert spec.total_loinc == total_code


def test_phq9_safety_item_carries_its_own_loinc() -> None:
    assert PHQ9.safety_item_loinc == "44260-8"


def test_only_epds_items_3_and_5_to_10_are_reverse_scored() -> None:
    reversed_numbers = {i + 1 for i, flag in enumerate(EPDS.reverse_scored) if flag}
    assert reversed_numbers == {3, 5, 6, 7, 8, 9, 10}
    for spec in (PHQ9, PHQ2, GAD7):
        assert not any(spec.reverse_scored)


@pytest.mark.parametrize("name", ["epds", "PHQ9", "", None, 9])
def test_unknown_instrument_names_are_refused_at_instrument(name: object) -> None:
    with pytest.raises(InvalidScreening) as caught:
        get_instrument(name)
    assert caught.value.field == "/instrument"
    assert "EPDS, PHQ-9, PHQ-2, GAD-7" in caught.value.detail
