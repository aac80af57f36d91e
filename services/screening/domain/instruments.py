"""The four screening instruments, described as data.

An *answer* is the position of the option chosen on the printed form (0 = the first,
top option). An item's *score* is the answer itself for top-down items and
``option_count - 1 - answer`` for reverse-scored items. Only the EPDS has reverse-scored
items (3, 5, 6, 7, 8, 9 and 10): for those the printed top option is worth 3, so a
client that sends positions never needs to know the scoring key.

Item numbers in prose are 1-based (as printed); indices in code are 0-based.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from services.screening.domain.errors import InvalidScreening


@dataclass(frozen=True)
class Instrument:
    """One validated questionnaire: its shape, scoring key and codes."""

    name: str
    item_count: int
    option_count: int
    # reverse_scored[i] is True when item i (0-based) scores 3..0 from the top option down.
    reverse_scored: tuple[bool, ...]
    # 0-based index of the self-harm item, or None when the instrument has none.
    safety_item_index: int | None
    panel_loinc: str | None
    total_loinc: str
    # LOINC of the safety item's own observation, where one is in use.
    safety_item_loinc: str | None = None

    def __post_init__(self) -> None:
        if len(self.reverse_scored) != self.item_count:
            raise ValueError(f"{self.name}: reverse_scored must have {self.item_count} flags")
        if self.safety_item_index is not None and not (
            0 <= self.safety_item_index < self.item_count
        ):
            raise ValueError(f"{self.name}: safety item index out of range")

    @property
    def max_answer(self) -> int:
        return self.option_count - 1

    @property
    def max_total(self) -> int:
        return self.item_count * self.max_answer

    def item_score(self, index: int, answer: int) -> int:
        """Score of item ``index`` (0-based) given the option position ``answer``."""
        return self.max_answer - answer if self.reverse_scored[index] else answer


def _reverse_flags(item_count: int, reversed_items: frozenset[int]) -> tuple[bool, ...]:
    """Flags from 1-based item numbers, as the scoring keys print them."""
    return tuple(number in reversed_items for number in range(1, item_count + 1))


EPDS = Instrument(
    name="EPDS",
    item_count=10,
    option_count=4,
    reverse_scored=_reverse_flags(10, frozenset({3, 5, 6, 7, 8, 9, 10})),
    safety_item_index=9,  # item 10: "The thought of harming myself has occurred to me"
    panel_loinc="71354-5",
    # docs/domain.md flags this code as unverified: check it against LOINC before it goes on the
    # wire.
    total_loinc="99046-5",
)

PHQ9 = Instrument(
    name="PHQ-9",
    item_count=9,
    option_count=4,
    reverse_scored=_reverse_flags(9, frozenset()),
    safety_item_index=8,  # item 9: "Thoughts that you would be better off dead..."
    panel_loinc="44249-1",
    total_loinc="44261-6",
    safety_item_loinc="44260-8",
)

PHQ2 = Instrument(
    name="PHQ-2",
    item_count=2,
    option_count=4,
    reverse_scored=_reverse_flags(2, frozenset()),
    safety_item_index=None,
    panel_loinc=None,
    total_loinc="55758-7",
)

GAD7 = Instrument(
    name="GAD-7",
    item_count=7,
    option_count=4,
    reverse_scored=_reverse_flags(7, frozenset()),
    safety_item_index=None,
    panel_loinc=None,
    total_loinc="70274-6",
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {instrument.name: instrument for instrument in (EPDS, PHQ9, PHQ2, GAD7)}
)


def get_instrument(name: object) -> Instrument:
    """The instrument called exactly ``name`` ("EPDS", "PHQ-9", "PHQ-2", "GAD-7")."""
    instrument = INSTRUMENTS.get(name) if isinstance(name, str) else None
    if instrument is None:
        known = ", ".join(INSTRUMENTS)
        raise InvalidScreening(
            "/instrument", f"unknown instrument {name!r}; expected one of {known}"
        )
    return instrument
