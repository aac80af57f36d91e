"""Score a screen from its item answers.

The server always scores from the items and never trusts a client's total. Answers are
option positions (see ``instruments``); this module turns them into item scores, a total,
a band, and the two flags the referral flow acts on: ``positive`` and ``urgent``. The band and
``positive`` read the total against the cut-offs of the screen's perinatal period (see
``thresholds``); ``urgent`` reads the safety item alone, whatever the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.codes import Period
from services.screening.domain.errors import InvalidScreening
from services.screening.domain.instruments import Instrument, get_instrument
from services.screening.domain.interpretation import Interpretation
from services.screening.domain.thresholds import Thresholds

__all__ = ["InvalidScreening", "ScoreResult", "score"]

# (lowest total, band) in ascending order; fixed by the instruments, not by the network.
_PHQ9_BANDS: tuple[tuple[int, str], ...] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately_severe"),
    (20, "severe"),
)
_GAD7_BANDS: tuple[tuple[int, str], ...] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "severe"),
)

_DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class ScoreResult:
    """The scored screen. ``item_scores`` are scores (after reverse-scoring), not positions."""

    instrument: str
    item_scores: tuple[int, ...]
    total: int
    band: str
    positive: bool
    urgent: bool
    # None only for a record stored before interpretations were kept.
    interpretation: Interpretation | None = None

    @property
    def summary(self) -> str | None:
        """The interpretation in one sentence, or None when it is not known."""
        if self.interpretation is None:
            return None
        return self.interpretation.summary(self.instrument, self.total, self.urgent)


def score(
    instrument: str,
    answers: Sequence[int],
    thresholds: Thresholds = _DEFAULT_THRESHOLDS,
    period: Period | None = None,
) -> ScoreResult:
    """Score ``answers`` (option positions, one per item, in item order), taken in ``period``
    (None: not given, so the network's default cut-offs apply).

    Raises ``InvalidScreening`` for an unknown instrument, a wrong number of answers or
    an answer that is not an option position.
    """
    spec = get_instrument(instrument)
    positions = _validated_positions(spec, answers)
    item_scores = tuple(spec.item_score(i, position) for i, position in enumerate(positions))
    total = sum(item_scores)
    interpretation = _interpretation(spec, thresholds, period)
    band, meets_cutoff = _band(spec, total, interpretation)
    urgent = spec.safety_item_index is not None and item_scores[spec.safety_item_index] > 0
    # An urgent screen is reported positive whatever its total: a self-harm answer above
    # zero needs a referral (and a safety assessment), so nothing downstream that keys on
    # `positive` -- referral prompts, HEDIS follow-up counts -- may treat it as negative.
    # The band still reflects the total alone.
    return ScoreResult(
        instrument=spec.name,
        item_scores=item_scores,
        total=total,
        band=band,
        positive=meets_cutoff or urgent,
        urgent=urgent,
        interpretation=interpretation,
    )


def _validated_positions(spec: Instrument, answers: Sequence[int]) -> tuple[int, ...]:
    # A str is a Sequence too; "0123" must not pass as four answers.
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidScreening("/answers", f"answers must be a list of {spec.item_count} integers")
    if len(answers) != spec.item_count:
        raise InvalidScreening(
            "/answers", f"{spec.name} has {spec.item_count} items; got {len(answers)}"
        )
    for index, answer in enumerate(answers):
        # bool is a subclass of int: True would otherwise be read as position 1.
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise InvalidScreening(
                f"/answers/{index}",
                f"answer must be an integer 0..{spec.max_answer} "
                f"(position of the option chosen); got {answer!r}",
            )
        if not 0 <= answer <= spec.max_answer:
            raise InvalidScreening(
                f"/answers/{index}",
                f"answer must be 0..{spec.max_answer} (position of the option chosen); "
                f"got {answer}",
            )
    return tuple(answers)


def _interpretation(
    spec: Instrument, thresholds: Thresholds, period: Period | None
) -> Interpretation:
    """The cut-offs that apply to ``spec`` in ``period``."""
    if spec.name == "EPDS":
        epds = thresholds.epds_for(period)
        return Interpretation(period, positive_at=epds.possible, probable_at=epds.probable)
    positive_at = {
        "PHQ-9": thresholds.phq9_positive,
        "PHQ-2": thresholds.phq2_positive,
        "GAD-7": thresholds.gad7_positive,
    }[spec.name]
    return Interpretation(period, positive_at=positive_at)


def _band(spec: Instrument, total: int, cutoffs: Interpretation) -> tuple[str, bool]:
    """The band for ``total`` and whether the total alone meets the positive cut-off."""
    positive = total >= cutoffs.positive_at
    if spec.name == "EPDS":
        assert cutoffs.probable_at is not None
        if total >= cutoffs.probable_at:
            return "probable_depression", True
        return ("possible_depression" if positive else "below_threshold"), positive
    if spec.name == "PHQ-9":
        return _lookup(_PHQ9_BANDS, total), positive
    if spec.name == "PHQ-2":
        return ("positive" if positive else "negative"), positive
    if spec.name == "GAD-7":
        return _lookup(_GAD7_BANDS, total), positive
    raise AssertionError(f"no banding rule for {spec.name}")  # pragma: no cover


def _lookup(bands: tuple[tuple[int, str], ...], total: int) -> str:
    return next(label for lowest, label in reversed(bands) if total >= lowest)
