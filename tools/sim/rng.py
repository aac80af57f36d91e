"""Seeded random streams, one per actor, so a run's choices do not depend on HTTP timing."""

from __future__ import annotations

import random


def stream(seed: int, *parts: object) -> random.Random:
    """The stream for one actor (a patient, a practice): same seed and parts, same choices."""
    key = ":".join([str(seed), *map(str, parts)])
    return random.Random(key)  # noqa: S311 - simulated traffic, never secrets


def pick(rng: random.Random, shares: dict[str, float]) -> str:
    """One key of `shares`, drawn with its share as the weight."""
    keys = list(shares)
    return rng.choices(keys, weights=[shares[k] for k in keys])[0]
