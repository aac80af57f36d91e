"""Scoring: totals, bands, positive/urgent flags and input errors."""

import pytest

from services.screening.domain import EPDS, InvalidScreening, Thresholds, score

EPDS_TOP_DOWN_ITEMS = (1, 2, 4)
EPDS_REVERSED_ITEMS = (3, 5, 6, 7, 8, 9, 10)


def epds_positions_for(scores: list[int]) -> list[int]:
    """The option positions that produce the given EPDS item scores."""
    return [s if not EPDS.reverse_scored[i] else 3 - s for i, s in enumerate(scores)]


def epds_positions_totalling(total: int) -> list[int]:
    """Positions scoring `total` on items 1-9 with the self-harm item (10) scoring 0."""
    scores = [min(3, max(0, total - 3 * i)) for i in range(9)] + [0]
    assert sum(scores) == total
    return epds_positions_for(scores)


# --- keys: all-zero, all-max and one hand-computed mixed vector per instrument ---


@pytest.mark.parametrize(
    ("instrument", "answers", "total", "band", "positive", "urgent"),
    [
        # EPDS: the positions that score 0 everywhere, and that score 3 everywhere.
        ("EPDS", [0, 0, 3, 0, 3, 3, 3, 3, 3, 3], 0, "below_threshold", False, False),
        ("EPDS", [3, 3, 0, 3, 0, 0, 0, 0, 0, 0], 30, "probable_depression", True, True),
        # Every option at the top: items 1, 2, 4 score 0, the seven reversed items 3 each.
        ("EPDS", [0] * 10, 21, "probable_depression", True, True),
        # Every option at the bottom: items 1, 2, 4 score 3, the reversed items 0.
        ("EPDS", [3] * 10, 9, "below_threshold", False, False),
        # scores 1+0+(3-2)+1+(3-3)+(3-0)+(3-2)+(3-1)+(3-3)+(3-3) = 1+0+1+1+0+3+1+2+0+0 = 9
        ("EPDS", [1, 0, 2, 1, 3, 0, 2, 1, 3, 3], 9, "below_threshold", False, False),
        ("PHQ-9", [0] * 9, 0, "minimal", False, False),
        ("PHQ-9", [3] * 9, 27, "severe", True, True),
        # 1+2+0+3+1+0+2+1+0 = 10
        ("PHQ-9", [1, 2, 0, 3, 1, 0, 2, 1, 0], 10, "moderate", True, False),
        ("PHQ-2", [0, 0], 0, "negative", False, False),
        ("PHQ-2", [3, 3], 6, "positive", True, False),
        # 1+2 = 3
        ("PHQ-2", [1, 2], 3, "positive", True, False),
        ("GAD-7", [0] * 7, 0, "minimal", False, False),
        ("GAD-7", [3] * 7, 21, "severe", True, False),
        # 2+1+0+3+1+2+0 = 9
        ("GAD-7", [2, 1, 0, 3, 1, 2, 0], 9, "mild", False, False),
    ],
)
def test_key_vectors_score_to_their_hand_computed_totals(
    instrument: str, answers: list[int], total: int, band: str, positive: bool, urgent: bool
) -> None:
    result = score(instrument, answers)
    assert result.instrument == instrument
    assert result.total == total == sum(result.item_scores)
    assert (result.band, result.positive, result.urgent) == (band, positive, urgent)


# --- EPDS scoring key, item by item ---


@pytest.mark.parametrize("item", EPDS_REVERSED_ITEMS)
def test_epds_reversed_item_scores_3_for_the_top_option(item: int) -> None:
    # All other items at their zero-scoring position, so the total is this item alone.
    positions = epds_positions_for([0] * 10)
    positions[item - 1] = 0
    result = score("EPDS", positions)
    assert result.item_scores[item - 1] == 3
    assert result.total == 3


@pytest.mark.parametrize("item", EPDS_TOP_DOWN_ITEMS)
def test_epds_top_down_item_scores_0_for_the_top_option(item: int) -> None:
    positions = epds_positions_for([0] * 10)
    positions[item - 1] = 0
    result = score("EPDS", positions)
    assert result.item_scores[item - 1] == 0
    assert result.total == 0


@pytest.mark.parametrize(("position", "item_score"), [(0, 3), (1, 2), (2, 1), (3, 0)])
def test_epds_item_10_is_reverse_scored(position: int, item_score: int) -> None:
    positions = epds_positions_for([0] * 10)
    positions[9] = position
    result = score("EPDS", positions)
    assert result.item_scores[9] == item_score
    assert result.urgent is (item_score > 0)


# --- threshold edges ---


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (9, "below_threshold", False),
        (10, "possible_depression", True),
        (12, "possible_depression", True),
        (13, "probable_depression", True),
    ],
)
def test_epds_default_threshold_edges(total: int, band: str, positive: bool) -> None:
    result = score("EPDS", epds_positions_totalling(total))
    assert (result.total, result.band, result.positive, result.urgent) == (
        total,
        band,
        positive,
        False,
    )


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (14, "below_threshold", False),
        (15, "possible_depression", True),
        (16, "possible_depression", True),
        (17, "probable_depression", True),
    ],
)
def test_epds_custom_antenatal_threshold_of_15(total: int, band: str, positive: bool) -> None:
    antenatal = Thresholds(epds_possible=15, epds_probable=17)
    result = score("EPDS", epds_positions_totalling(total), antenatal)
    assert (result.band, result.positive) == (band, positive)


def test_epds_possible_equal_to_probable_skips_the_possible_band() -> None:
    antenatal = Thresholds(epds_possible=15, epds_probable=15)
    assert score("EPDS", epds_positions_totalling(15), antenatal).band == "probable_depression"


def spread(total: int, items: int) -> list[int]:
    """Answers 0..3 summing to `total`, filled from the first item."""
    return [min(3, max(0, total - 3 * i)) for i in range(items)]


@pytest.mark.parametrize(
    ("instrument", "items", "total", "positive"),
    [
        ("PHQ-9", 8, 9, False),  # item 9 kept at 0 so no safety flag
        ("PHQ-9", 8, 10, True),
        ("PHQ-2", 2, 2, False),
        ("PHQ-2", 2, 3, True),
        ("GAD-7", 7, 9, False),
        ("GAD-7", 7, 10, True),
    ],
)
def test_positive_cutoff_edges(instrument: str, items: int, total: int, positive: bool) -> None:
    answers = spread(total, items) + ([0] if instrument == "PHQ-9" else [])
    result = score(instrument, answers)
    assert (result.total, result.positive, result.urgent) == (total, positive, False)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
    ],
)
def test_phq9_band_edges(total: int, band: str) -> None:
    assert score("PHQ-9", [*spread(total, 8), 0]).band == band


@pytest.mark.parametrize(
    ("total", "band"),
    [(4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"), (15, "severe")],
)
def test_gad7_band_edges(total: int, band: str) -> None:
    assert score("GAD-7", spread(total, 7)).band == band


def test_custom_phq9_cutoff_changes_positive_but_not_the_band() -> None:
    result = score("PHQ-9", [*spread(10, 8), 0], Thresholds(phq9_positive=12))
    assert (result.band, result.positive) == ("moderate", False)


# --- safety items ---


@pytest.mark.parametrize("item_10_score", [1, 2, 3])
def test_epds_self_harm_item_above_zero_is_urgent_and_positive_whatever_the_total(
    item_10_score: int,
) -> None:
    result = score("EPDS", epds_positions_for([0] * 9 + [item_10_score]))
    assert result.total == item_10_score
    assert result.band == "below_threshold"  # the band reflects the total alone
    assert result.urgent is True
    assert result.positive is True  # an urgent screen always needs a referral


def test_phq9_item_9_answered_1_is_urgent_and_positive_with_total_1() -> None:
    result = score("PHQ-9", [0] * 8 + [1])
    assert (result.total, result.band, result.urgent, result.positive) == (1, "minimal", True, True)


def test_phq9_non_safety_items_never_make_a_screen_urgent() -> None:
    assert score("PHQ-9", [3] * 8 + [0]).urgent is False


@pytest.mark.parametrize("instrument", ["PHQ-2", "GAD-7"])
def test_instruments_without_a_safety_item_are_never_urgent(instrument: str) -> None:
    items = 2 if instrument == "PHQ-2" else 7
    assert score(instrument, [3] * items).urgent is False


# --- input errors ---


@pytest.mark.parametrize(
    ("instrument", "answers", "detail"),
    [
        ("EPDS", [0] * 9, "EPDS has 10 items; got 9"),
        ("EPDS", [0] * 11, "EPDS has 10 items; got 11"),
        ("PHQ-9", [0] * 10, "PHQ-9 has 9 items; got 10"),
        ("PHQ-2", [], "PHQ-2 has 2 items; got 0"),
        ("GAD-7", [0] * 2, "GAD-7 has 7 items; got 2"),
    ],
)
def test_wrong_answer_count_is_reported_at_answers(
    instrument: str, answers: list[int], detail: str
) -> None:
    with pytest.raises(InvalidScreening) as caught:
        score(instrument, answers)
    assert (caught.value.field, caught.value.detail) == ("/answers", detail)


@pytest.mark.parametrize("answers", ["0123456789", None, 7])
def test_answers_that_are_not_a_list_are_refused(answers: object) -> None:
    with pytest.raises(InvalidScreening) as caught:
        score("EPDS", answers)  # type: ignore[arg-type]
    assert caught.value.field == "/answers"


@pytest.mark.parametrize("bad", [-1, 4])
@pytest.mark.parametrize("instrument", ["EPDS", "PHQ-9", "PHQ-2", "GAD-7"])
def test_out_of_range_answer_is_reported_at_its_index(instrument: str, bad: int) -> None:
    answers = [0] * {"EPDS": 10, "PHQ-9": 9, "PHQ-2": 2, "GAD-7": 7}[instrument]
    answers[1] = bad
    with pytest.raises(InvalidScreening) as caught:
        score(instrument, answers)
    assert caught.value.field == "/answers/1"
    assert caught.value.detail.startswith("answer must be 0..3 (position of the option chosen)")


def test_out_of_range_answer_at_index_3_points_at_answers_3() -> None:
    with pytest.raises(InvalidScreening) as caught:
        score("EPDS", [0, 0, 0, 4, 0, 0, 0, 0, 0, 0])
    assert caught.value.field == "/answers/3"


@pytest.mark.parametrize("bad", [True, False, 1.0, "1", None])
def test_non_integer_answers_including_booleans_are_refused(bad: object) -> None:
    with pytest.raises(InvalidScreening) as caught:
        score("PHQ-2", [0, bad])  # type: ignore[list-item]
    assert caught.value.field == "/answers/1"


@pytest.mark.parametrize("instrument", ["epds", "PHQ9", "EPDS-10", ""])
def test_unknown_instrument_is_reported_at_instrument(instrument: str) -> None:
    with pytest.raises(InvalidScreening) as caught:
        score(instrument, [0] * 10)
    assert caught.value.field == "/instrument"


def test_invalid_screening_is_a_value_error() -> None:
    assert issubclass(InvalidScreening, ValueError)
