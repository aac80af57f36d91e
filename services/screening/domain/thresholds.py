"""Positive-screen cut-offs, configurable per network.

The defaults are the published ones (EPDS >= 10 possible / >= 13 probable depression,
PHQ-9 >= 10, PHQ-2 >= 3, GAD-7 >= 10). Some networks raise the EPDS cut-off
antenatally (e.g. ``Thresholds(epds_possible=15, epds_probable=15)``).
Severity bands of the PHQ-9 and GAD-7 are fixed by the instruments and not configurable.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.screening.domain.instruments import EPDS, GAD7, PHQ2, PHQ9, Instrument


@dataclass(frozen=True)
class Thresholds:
    """Totals at or above which a screen counts as positive."""

    epds_possible: int = 10
    epds_probable: int = 13
    phq9_positive: int = 10
    phq2_positive: int = 3
    gad7_positive: int = 10

    def __post_init__(self) -> None:
        _check_cutoff("epds_possible", self.epds_possible, EPDS)
        _check_cutoff("epds_probable", self.epds_probable, EPDS)
        _check_cutoff("phq9_positive", self.phq9_positive, PHQ9)
        _check_cutoff("phq2_positive", self.phq2_positive, PHQ2)
        _check_cutoff("gad7_positive", self.gad7_positive, GAD7)
        if self.epds_possible > self.epds_probable:
            raise ValueError(
                f"epds_possible ({self.epds_possible}) must not exceed "
                f"epds_probable ({self.epds_probable})"
            )


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
