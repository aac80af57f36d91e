"""The campaign's timeline check: a referral's timeline rows must be a path of the referral
lifecycle, notes keep the state, and a step the lifecycle does not allow is caught."""

from __future__ import annotations

from contracts.lifecycle import ReferralStatus as S
from tools.faults.checks import illegal_step, returned_to


def path_is_legal(rows: list[tuple[str, str]]) -> bool:
    previous = None
    for action, status in rows:
        if illegal_step(previous, action, status):
            return False
        previous = S(status)
    return True


def test_a_whole_intake_with_notes_is_legal() -> None:
    rows = [
        ("submit", "submitted"),
        ("record_contact", "submitted"),
        ("acknowledge", "acknowledged"),
        ("schedule", "scheduled"),
        ("record_attended", "attended"),
        ("close", "closed"),
    ]
    assert path_is_legal(rows)


def test_a_decline_then_a_redirect_and_an_overdue_redirect_are_legal() -> None:
    assert path_is_legal([("submit", "submitted"), ("decline", "declined"),
                          ("redirect", "submitted"), ("redirect", "submitted")])  # fmt: skip


def test_a_timeline_must_start_with_its_submission() -> None:
    assert not path_is_legal([("acknowledge", "acknowledged")])


def test_a_step_the_lifecycle_forbids_is_caught() -> None:
    assert not path_is_legal([("submit", "submitted"), ("record_attended", "attended")])
    assert not path_is_legal([("submit", "submitted"), ("acknowledge", "scheduled")])


def test_a_note_that_changes_the_state_is_caught() -> None:
    assert not path_is_legal([("submit", "submitted"), ("redirect_allowed", "acknowledged")])


def test_nothing_follows_a_closed_referral() -> None:
    closed = [("submit", "submitted"), ("cancel", "cancelled")]
    assert path_is_legal(closed)
    assert not path_is_legal([*closed, ("acknowledge", "acknowledged")])


def test_a_referral_back_at_a_practice_it_left_is_told_apart() -> None:
    stays = [("r1", "a"), ("r1", "a"), ("r1", "b"), ("r1", "a"), ("r2", "a"), ("r2", "b")]
    assert returned_to(stays) == {("r1", "a")}
