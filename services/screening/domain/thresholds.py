"""Positive-screen cut-offs, configurable per network, and for the EPDS per perinatal period.

The defaults are the published ones (EPDS >= 10 possible / >= 13 probable depression,
PHQ-9 >= 10, PHQ-2 >= 3, GAD-7 >= 10). EPDS cut-offs can differ antenatally and postpartum
(some networks use >= 15 in pregnancy, e.g.
``Thresholds(epds_antenatal=EpdsCutoffs(possible=15, probable=15))``): a period without its own
cut-offs uses the network's default EPDS cut-offs, and so does a screen whose period is not
given. Only the EPDS varies by period. Severity bands of the PHQ-9 and GAD-7 are fixed by the
instruments and not configurable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.codes import Period
from services.screening.domain.instruments import EPDS, GAD7, PHQ2, PHQ9, Instrument


@dataclass(frozen=True)
class EpdsCutoffs:
    """EPDS totals at or above which depression is possible, and probable."""

    possible: int = 10
    probable: int = 13
    # How configuration errors name this pair (e.g. "epds_antenatal"); not part of its value.
    name: str = field(default="epds", compare=False, repr=False)

    def __post_init__(self) -> None:
        _check_cutoff(f"{self.name}_possible", self.possible, EPDS)
        _check_cutoff(f"{self.name}_probable", self.probable, EPDS)
        if self.possible > self.probable:
            raise ValueError(
                f"{self.name}_possible ({self.possible}) must not exceed "
                f"{self.name}_probable ({self.probable})"
            )


@dataclass(frozen=True)
class Thresholds:
    """Totals at or above which a screen counts as positive."""

    epds_possible: int = 10
    epds_probable: int = 13
    phq9_positive: int = 10
    phq2_positive: int = 3
    gad7_positive: int = 10
    # None: the period uses the default EPDS cut-offs above.
    epds_antenatal: EpdsCutoffs | None = None
    epds_postpartum: EpdsCutoffs | None = None

    def __post_init__(self) -> None:
        EpdsCutoffs(self.epds_possible, self.epds_probable)  # validates the default pair
        _check_cutoff("phq9_positive", self.phq9_positive, PHQ9)
        _check_cutoff("phq2_positive", self.phq2_positive, PHQ2)
        _check_cutoff("gad7_positive", self.gad7_positive, GAD7)

    def epds_for(self, period: Period | None) -> EpdsCutoffs:
        """The EPDS cut-offs that apply to a screen taken in ``period`` (None: not given)."""
        own = {Period.ANTENATAL: self.epds_antenatal, Period.POSTPARTUM: self.epds_postpartum}
        chosen = own.get(period) if period is not None else None
        return chosen or EpdsCutoffs(self.epds_possible, self.epds_probable)


def _check_cutoff(name: str, value: object, instrument: Instrument) -> None:
    # A cut-off of 0 would make every screen positive: that is a configuration mistake,
    # not a policy, so the lowest accepted value is 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer; got {value!r}")
    if not 1 <= value <= instrument.max_total:
        raise ValueError(
            f"{name} must be within 1..{instrument.max_total} "
            f"(the {instrument.name} total range); got {value}"
        )
