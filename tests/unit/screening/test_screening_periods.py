"""EPDS cut-offs by perinatal period: the period picks the cut-offs; the safety item ignores it."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from contracts.codes import Period
from services.screening.domain import EpdsCutoffs, Interpretation, Thresholds, score
from services.screening.domain.screening import RecordScreening, evaluate
from services.screening.service_layer.commands import screen_positive
from services.screening.settings import ScreeningSettings
from tests.unit.screening.test_screening_scoring import epds_positions_for, epds_positions_totalling

# A network that reads the EPDS at >= 15 in pregnancy and at >= 9 / >= 12 after birth.
NETWORK = Thresholds(
    epds_antenatal=EpdsCutoffs(possible=15, probable=15),
    epds_postpartum=EpdsCutoffs(possible=9, probable=12),
)
NOW = datetime(2026, 11, 20, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "total", "band", "positive", "positive_at", "probable_at"),
    [
        (Period.ANTENATAL, 12, "below_threshold", False, 15, 15),
        (Period.ANTENATAL, 15, "probable_depression", True, 15, 15),
        (Period.POSTPARTUM, 9, "possible_depression", True, 9, 12),
        (Period.POSTPARTUM, 12, "probable_depression", True, 9, 12),
        (None, 9, "below_threshold", False, 10, 13),  # not given: the default cut-offs
        (None, 12, "possible_depression", True, 10, 13),
    ],
)
def test_the_period_picks_the_epds_cut_offs(
    period: Period | None,
    total: int,
    band: str,
    positive: bool,
    positive_at: int,
    probable_at: int,
) -> None:
    result = score("EPDS", epds_positions_totalling(total), NETWORK, period)
    assert (result.total, result.band, result.positive, result.urgent) == (
        total,
        band,
        positive,
        False,
    )
    assert result.interpretation == Interpretation(period, positive_at, probable_at)


def test_a_period_without_its_own_cut_offs_uses_the_default_ones() -> None:
    only_antenatal = Thresholds(epds_possible=11, epds_antenatal=EpdsCutoffs(15, 15))
    assert only_antenatal.epds_for(Period.POSTPARTUM) == EpdsCutoffs(11, 13)
    assert only_antenatal.epds_for(None) == EpdsCutoffs(11, 13)
    assert only_antenatal.epds_for(Period.ANTENATAL) == EpdsCutoffs(15, 15)
    # With no period cut-offs at all, a period changes nothing: today's behaviour.
    for period in (Period.ANTENATAL, Period.POSTPARTUM, None):
        assert score("EPDS", epds_positions_totalling(10), Thresholds(), period).positive


@pytest.mark.parametrize("period", [Period.ANTENATAL, Period.POSTPARTUM, None])
def test_the_self_harm_item_is_urgent_and_positive_in_every_period(period: Period | None) -> None:
    # Total 4, well under every cut-off, with item 10 scoring 1.
    answers = epds_positions_for([1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
    result = score("EPDS", answers, NETWORK, period)
    assert (result.total, result.band) == (4, "below_threshold")
    assert result.urgent and result.positive
    assert result.summary is not None and "urgent in any period" in result.summary


def test_other_instruments_do_not_vary_by_period() -> None:
    thresholds = Thresholds(phq9_positive=12, epds_antenatal=EpdsCutoffs(15, 15))
    result = score("PHQ-9", [2, 2, 2, 2, 2, 1, 0, 0, 0], thresholds, Period.ANTENATAL)
    assert (result.total, result.positive) == (11, False)
    assert result.interpretation == Interpretation(Period.ANTENATAL, 12, None)


def test_the_summary_names_the_rule_that_applied() -> None:
    antenatal = score("EPDS", epds_positions_totalling(12), NETWORK, Period.ANTENATAL)
    assert antenatal.summary == (
        "EPDS total 12 is below the antenatal cut-offs (possible depression at 15, probable at 15)."
    )
    default = score("EPDS", epds_positions_totalling(12), NETWORK)
    assert default.summary == (
        "EPDS total 12 meets the default cut-offs (no period) "
        "(possible depression at 10, probable at 13)."
    )
    phq2 = score("PHQ-2", [2, 1], NETWORK, Period.POSTPARTUM)
    assert phq2.summary == "PHQ-2 total 3 meets the postpartum cut-offs (positive at 3)."


def test_a_recorded_screening_keeps_its_period_and_says_it_in_its_event() -> None:
    command = RecordScreening(
        organization_id="riverside-ob",
        recorded_by="rn-1",
        patient_ref="pt-1",
        instrument="EPDS",
        answers=tuple(epds_positions_totalling(10)),
        setting="ob",
        screened_at=NOW,
        period=Period.POSTPARTUM,
    )
    screening = evaluate(command, UUID(int=1), NETWORK, NOW)
    assert screening.period is Period.POSTPARTUM
    event = screen_positive(screening)
    assert (event.period, event.positive_cutoff, event.band) == (
        Period.POSTPARTUM,
        9,
        "possible_depression",
    )


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        ({"possible": 16, "probable": 15}, "epds_antenatal_possible .* must not exceed"),
        ({"possible": 0, "probable": 15}, "epds_antenatal_possible must be within 1..30"),
        ({"possible": 10, "probable": 31}, "epds_antenatal_probable must be within 1..30"),
    ],
)
def test_bad_period_cut_offs_name_the_period(pair: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EpdsCutoffs(**pair, name="epds_antenatal")


def test_period_cut_offs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_EPDS_ANTENATAL_POSSIBLE", "15")
    monkeypatch.setenv("SCREENING_EPDS_ANTENATAL_PROBABLE", "15")
    monkeypatch.setenv("SCREENING_EPDS_POSTPARTUM_POSSIBLE", "9")  # probable: the default 13
    thresholds = ScreeningSettings().thresholds()
    assert thresholds.epds_for(Period.ANTENATAL) == EpdsCutoffs(15, 15)
    assert thresholds.epds_for(Period.POSTPARTUM) == EpdsCutoffs(9, 13)
    assert thresholds.epds_for(None) == EpdsCutoffs(10, 13)


def test_a_period_cut_off_above_its_inherited_pair_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Antenatal possible 15 with the default probable 13: inconsistent, so the network will not
    # start rather than read screens against a pair that cannot be.
    monkeypatch.setenv("SCREENING_EPDS_ANTENATAL_POSSIBLE", "15")
    with pytest.raises(ValueError, match="epds_antenatal_possible"):
        ScreeningSettings()
