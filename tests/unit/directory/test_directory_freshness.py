"""Freshness: FRESH up to and including max_age, STALE after, UNKNOWN without a record."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.directory.domain.freshness import DEFAULT_MAX_AGE, Freshness, age_hours, freshness
from tests.unit.directory.test_directory_factories import NOW, capacity


def test_default_max_age_is_a_week() -> None:
    assert timedelta(days=7) == DEFAULT_MAX_AGE


def test_no_capacity_record_is_unknown() -> None:
    assert freshness(None, NOW, DEFAULT_MAX_AGE) is Freshness.UNKNOWN
    assert age_hours(None, NOW) is None


@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [
        (0, Freshness.FRESH),
        (5, Freshness.FRESH),
        (7 * 24, Freshness.FRESH),  # the boundary itself is still fresh
        (7 * 24 + 1 / 3600, Freshness.STALE),  # one second past it is not
        (12 * 24, Freshness.STALE),
    ],
)
def test_freshness_against_the_default_age(hours_ago: float, expected: Freshness) -> None:
    assert freshness(capacity(verified_hours_ago=hours_ago), NOW, DEFAULT_MAX_AGE) is expected


def test_max_age_defaults_to_a_week_when_omitted() -> None:
    assert freshness(capacity(verified_hours_ago=8 * 24), NOW) is Freshness.STALE


def test_max_age_is_configurable_by_the_caller() -> None:
    cap = capacity(verified_hours_ago=30)
    assert freshness(cap, NOW, timedelta(days=1)) is Freshness.STALE
    assert freshness(cap, NOW, timedelta(days=2)) is Freshness.FRESH


def test_a_verification_in_the_future_counts_as_fresh_with_zero_age() -> None:
    cap = capacity(verified_hours_ago=-2)  # clock skew
    assert freshness(cap, NOW, DEFAULT_MAX_AGE) is Freshness.FRESH
    assert age_hours(cap, NOW) == 0.0


def test_age_hours_is_fractional() -> None:
    assert age_hours(capacity(verified_hours_ago=5), NOW) == pytest.approx(5.0)
    assert age_hours(capacity(verified_hours_ago=0.25), NOW) == pytest.approx(0.25)


def test_negative_max_age_is_refused() -> None:
    with pytest.raises(ValueError, match="max_age"):
        freshness(capacity(), NOW, timedelta(hours=-1))


def test_mixing_naive_and_aware_times_fails_loudly() -> None:
    with pytest.raises(TypeError):
        freshness(capacity(), datetime(2025, 3, 10, 15, 0), DEFAULT_MAX_AGE)
