"""Which cut-offs a score was read against, and the sentence that says so.

A network may read the EPDS against different cut-offs antenatally and postpartum, so a total of
12 can be positive for one patient and not for another. The interpretation travels with the score
(in the answer, the stored record and ScreenPositive) so that nobody has to guess which rule
applied. The safety item is not a cut-off: an urgent screen is positive in every period.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.codes import Period


@dataclass(frozen=True)
class Interpretation:
    """The period a screen was scored for and the cut-offs that applied to it.

    ``positive_at`` is the lowest total that counts positive (EPDS: possible depression);
    ``probable_at`` is the EPDS probable-depression cut-off (None for other instruments).
    """

    period: Period | None
    positive_at: int
    probable_at: int | None = None

    def summary(self, instrument: str, total: int, urgent: bool) -> str:
        """One sentence for the clinician: the total against the cut-off that applied."""
        rule = f"{self.period.value} cut-offs" if self.period else "default cut-offs (no period)"
        if self.probable_at is not None:
            levels = f"possible depression at {self.positive_at}, probable at {self.probable_at}"
        else:
            levels = f"positive at {self.positive_at}"
        meets = "meets" if total >= self.positive_at else "is below"
        sentence = f"{instrument} total {total} {meets} the {rule} ({levels})."
        if urgent:
            sentence += " The self-harm item was above zero: urgent in any period."
        return sentence
