"""Screen answers drawn so a setting's screens are positive (and urgent) at a realistic rate.

The rates follow docs/domain.md: perinatal depression affects roughly 1 in 7 to 1 in 5 birthing
people, so 13-20% of screens are positive; a few per hundred answer the self-harm item above
zero. We first decide what a screen is (negative, positive, urgent), then draw item scores that
make it so under the default cut-offs (EPDS >= 10, PHQ-9 >= 10), then turn scores into the
option positions the API takes (the EPDS prints items 3 and 5-10 top-down from 3 to 0).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tools.sim.rng import pick


@dataclass(frozen=True)
class Form:
    """What the simulator must know of an instrument to fill it in like a patient."""

    name: str
    items: int
    reversed_items: frozenset[int]  # 1-based, as printed
    safety_item: int  # 1-based
    positive_at: int  # the default cut-off


EPDS = Form("EPDS", 10, frozenset({3, 5, 6, 7, 8, 9, 10}), safety_item=10, positive_at=10)
PHQ9 = Form("PHQ-9", 9, frozenset(), safety_item=9, positive_at=10)
MAX_ITEM_SCORE = 3


@dataclass(frozen=True)
class SettingProfile:
    positive_share: float  # of all screens, urgent ones included
    urgent_share: float  # of all screens
    instruments: dict[str, float]


# IOP/PHP patients are already in care, so more of them still screen positive at discharge.
PROFILES: dict[str, SettingProfile] = {
    "hospital": SettingProfile(0.15, 0.02, {"EPDS": 1.0}),
    "ob": SettingProfile(0.15, 0.02, {"EPDS": 0.7, "PHQ-9": 0.3}),
    "pediatric": SettingProfile(0.13, 0.015, {"EPDS": 1.0}),
    "iop_php": SettingProfile(0.20, 0.04, {"PHQ-9": 0.6, "EPDS": 0.4}),
}
FORMS = {form.name: form for form in (EPDS, PHQ9)}


@dataclass(frozen=True)
class DrawnScreen:
    instrument: str
    answers: list[int]  # option positions, as the API takes them
    positive: bool  # what the server should find with its default cut-offs
    urgent: bool


def draw_screen(rng: random.Random, setting: str) -> DrawnScreen:
    profile = PROFILES[setting]
    form = FORMS[pick(rng, profile.instruments)]
    roll = rng.random()
    urgent = roll < profile.urgent_share
    positive = urgent or roll < profile.positive_share
    safety = rng.choice((1, 1, 1, 2, 3)) if urgent else 0
    # Most negative screens score low; most positive ones sit just above the cut-off.
    if positive and (not urgent or rng.random() < 0.7):
        total = form.positive_at + int(rng.triangular(0, 14, 2))
    else:
        total = int(rng.triangular(0, form.positive_at, 2))
    scores = _spread(rng, form, max(total - safety, 0), safety)
    return DrawnScreen(form.name, _positions(form, scores), positive, urgent)


def _spread(rng: random.Random, form: Form, rest: int, safety: int) -> list[int]:
    """Item scores adding up to `rest` outside the safety item (capped by what items hold)."""
    scores = [0] * form.items
    scores[form.safety_item - 1] = safety
    open_items = [i for i in range(form.items) if i != form.safety_item - 1]
    for _ in range(min(rest, len(open_items) * MAX_ITEM_SCORE)):
        i = rng.choice([i for i in open_items if scores[i] < MAX_ITEM_SCORE])
        scores[i] += 1
    return scores


def _positions(form: Form, scores: list[int]) -> list[int]:
    return [
        MAX_ITEM_SCORE - s if number in form.reversed_items else s
        for number, s in enumerate(scores, start=1)
    ]
