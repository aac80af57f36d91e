"""Observed behaviour: window, medians, rates, decline reasons, and None without data."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.directory.domain.model import ObservedBehaviour
from services.directory.domain.observed import (
    DEFAULT_WINDOW,
    ReferralFacts,
    observe,
    observe_by_practice,
)
from tests.unit.directory.test_directory_factories import NOW


def fact(
    n: int,
    *,
    days_ago: float = 10,
    ack_hours: float | None = None,
    appt_days: float | None = None,
    attended: bool | None = None,
    declined: str | None = None,
    practice: str = "p1",
) -> ReferralFacts:
    submitted = NOW - timedelta(days=days_ago)
    return ReferralFacts(
        referral_id=f"r{n}",
        practice_id=practice,
        submitted_at=submitted,
        acknowledged_at=None if ack_hours is None else submitted + timedelta(hours=ack_hours),
        first_appointment_at=None if appt_days is None else submitted + timedelta(days=appt_days),
        attended=attended,
        declined_reason=declined,
    )


def test_default_window_is_ninety_days() -> None:
    assert timedelta(days=90) == DEFAULT_WINDOW


def test_no_facts_gives_an_empty_record() -> None:
    assert observe([], NOW) == ObservedBehaviour()


def test_only_referrals_submitted_within_the_window_count() -> None:
    facts = [
        fact(1, days_ago=90),  # on the boundary: counts
        fact(2, days_ago=90.001),  # just outside
        fact(3, days_ago=1),
        fact(4, days_ago=-1),  # after `now`: cannot have happened yet
    ]
    assert observe(facts, NOW).referrals == 2
    assert observe(facts, NOW, window=timedelta(days=30)).referrals == 1


def test_everything_outside_the_window_gives_an_empty_record() -> None:
    assert observe([fact(1, days_ago=200, ack_hours=1)], NOW) == ObservedBehaviour()


def test_medians_over_the_referrals_that_have_the_fact() -> None:
    facts = [
        fact(1, ack_hours=2, appt_days=4),
        fact(2, ack_hours=6, appt_days=10),
        fact(3, ack_hours=30),
        fact(4),  # never acknowledged: not in either median
    ]
    seen = observe(facts, NOW)
    assert seen.referrals == 4
    assert seen.median_hours_to_acknowledge == pytest.approx(6.0)
    assert seen.median_days_to_first_appointment == pytest.approx(7.0)  # median of 4 and 10


def test_attendance_rate_ignores_referrals_not_yet_known() -> None:
    facts = [fact(1, attended=True), fact(2, attended=True), fact(3, attended=False), fact(4)]
    assert observe(facts, NOW).attendance_rate == pytest.approx(2 / 3)


def test_statistics_without_data_are_none() -> None:
    seen = observe([fact(1), fact(2)], NOW)
    assert seen.referrals == 2
    assert seen.median_hours_to_acknowledge is None
    assert seen.median_days_to_first_appointment is None
    assert seen.attendance_rate is None
    assert seen.decline_rate == 0.0
    assert seen.decline_reasons == ()


def test_decline_rate_and_reasons_sorted_by_count_then_code() -> None:
    facts = [
        fact(1, declined="not_a_fit"),
        fact(2, declined="no_capacity"),
        fact(3, declined="insurance"),
        fact(4, declined="no_capacity"),
        fact(5, declined="insurance"),
        fact(6, declined="unable_to_reach"),
        fact(7),
        fact(8),
    ]
    seen = observe(facts, NOW)
    assert seen.decline_rate == pytest.approx(6 / 8)
    assert seen.decline_reasons == (
        ("insurance", 2),
        ("no_capacity", 2),
        ("not_a_fit", 1),
        ("unable_to_reach", 1),
    )


def test_negative_durations_from_clock_skew_count_as_zero() -> None:
    seen = observe([fact(1, ack_hours=-3, appt_days=-1)], NOW)
    assert seen.median_hours_to_acknowledge == 0.0
    assert seen.median_days_to_first_appointment == 0.0


def test_accepts_any_iterable_once() -> None:
    assert observe((fact(n, ack_hours=n) for n in range(1, 4)), NOW).referrals == 3


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window"):
        observe([fact(1)], NOW, window=timedelta(0))


def test_observe_by_practice_groups_facts() -> None:
    facts = [
        fact(1, practice="p2", ack_hours=4),
        fact(2, practice="p1", ack_hours=1),
        fact(3, practice="p2", ack_hours=8),
    ]
    by_practice = observe_by_practice(facts, NOW)
    assert list(by_practice) == ["p1", "p2"]
    assert by_practice["p1"].referrals == 1
    assert by_practice["p2"].median_hours_to_acknowledge == pytest.approx(6.0)


def test_facts_are_frozen() -> None:
    with pytest.raises(AttributeError):
        fact(1).attended = True  # type: ignore[misc]


def test_now_is_a_parameter_not_the_clock() -> None:
    old_now = datetime(2020, 1, 1, tzinfo=NOW.tzinfo)
    facts = [ReferralFacts("r1", "p1", old_now - timedelta(days=1))]
    assert observe(facts, old_now).referrals == 1
    assert observe(facts, NOW).referrals == 0
