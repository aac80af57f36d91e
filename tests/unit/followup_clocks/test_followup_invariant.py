"""The invariant's rule over rows: a subject passes with a live clock, an open task or a terminal
reason; an urgent screen also needs its safety assessment by its deadline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.followup.clocks.domain.invariant import (
    Breach,
    ReferralRow,
    ScreenRow,
    violations,
)

NOW = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
BARE_REFERRAL = ReferralRow("r-1", "riverside-ob", "acknowledged", False, 0, 0, False)
BARE_SCREEN = ScreenRow("s-1", "riverside-ob", "open", False, False, 0, 0, None)


def codes(referrals: list[ReferralRow], screens: list[ScreenRow]) -> list[tuple[str, Breach]]:
    return [(v.id, v.breach) for v in violations(referrals, screens, NOW)]


def test_an_open_referral_nobody_watches_is_reported_with_ids_and_codes() -> None:
    [v] = violations([BARE_REFERRAL], [], NOW)
    assert (v.subject, v.id, v.site_id, v.breach, v.status) == (
        "referral",
        "r-1",
        "riverside-ob",
        Breach.REFERRAL_UNWATCHED,
        "acknowledged",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"live_clocks": 1},
        {"open_tasks": 1},
        {"outcome_recorded": True},
        {"status": "attended"},
        {"status": "cancelled"},
        {"status": "closed"},
    ],
)
def test_a_referral_with_a_clock_a_task_or_a_terminal_reason_passes(change: dict) -> None:
    assert codes([replace(BARE_REFERRAL, **change)], []) == []


@pytest.mark.parametrize("status", ["submitted", "declined", "no_show", "scheduled"])
def test_a_referral_waiting_on_someone_is_not_terminal(status: str) -> None:
    assert codes([replace(BARE_REFERRAL, status=status)], []) == [
        ("r-1", Breach.REFERRAL_UNWATCHED)
    ]


def test_an_open_screen_without_clock_or_task_is_reported() -> None:
    assert codes([], [BARE_SCREEN]) == [("s-1", Breach.SCREEN_UNWATCHED)]


@pytest.mark.parametrize(
    "change", [{"live_clocks": 2}, {"open_tasks": 1}, {"status": "referred"}, {"status": "closed"}]
)
def test_a_screen_with_a_clock_a_task_or_a_terminal_reason_passes(change: dict) -> None:
    assert codes([], [replace(BARE_SCREEN, **change)]) == []


def test_an_urgent_screen_unassessed_past_its_deadline_is_reported_even_if_referred() -> None:
    late = replace(BARE_SCREEN, urgent=True, status="referred", deadline=NOW - timedelta(hours=1))
    assert codes([], [late]) == [("s-1", Breach.URGENT_SCREEN_UNASSESSED)]


def test_an_urgent_screen_before_its_deadline_or_assessed_passes() -> None:
    watched = replace(BARE_SCREEN, urgent=True, live_clocks=2)
    assert codes([], [replace(watched, deadline=NOW + timedelta(minutes=1))]) == []
    assert codes([], [replace(watched, deadline=None)]) == []
    assert codes([], [replace(watched, deadline=NOW, safety_assessed=True)]) == []


def test_an_urgent_open_screen_can_break_both_rules() -> None:
    both = replace(BARE_SCREEN, urgent=True, deadline=NOW)
    assert codes([], [both]) == [
        ("s-1", Breach.SCREEN_UNWATCHED),
        ("s-1", Breach.URGENT_SCREEN_UNASSESSED),
    ]
