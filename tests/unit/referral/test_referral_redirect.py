"""Where a referral may move next: never back to a practice that declined or missed it, a Part 2
referral only with consent, and a too-late first appointment makes it redirectable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.codes import RedirectReason
from contracts.lifecycle import ReferralStatus as S
from services.referral.domain.errors import (
    IllegalTransition,
    PracticePassedOver,
    RedisclosureConsentMissing,
)
from services.referral.domain.lifecycle import Action, next_status, redirect_reason
from services.referral.domain.redirect import (
    DEFAULT_APPOINTMENT_WITHIN_DAYS,
    appointment_too_late,
    check_redisclosure,
    check_target,
    passed_over,
)
from services.referral.domain.referral import TimelineEntry

T0 = datetime(2026, 3, 2, 15, tzinfo=UTC)


def entry(action: str, practice: str, status: S = S.SUBMITTED) -> TimelineEntry:
    return TimelineEntry(T0, status, action, "someone", "org", None, practice)


def test_a_practice_that_declined_is_passed_over() -> None:
    history = [entry("submit", "a"), entry("decline", "a", S.DECLINED), entry("redirect", "b")]
    assert passed_over(history, "b", ack_overdue=False) == {"a"}


def test_a_practice_left_unacknowledged_missed_it() -> None:
    history = [entry("submit", "a"), entry("redirect", "b"), entry("acknowledge", "b")]
    assert passed_over(history, "b", ack_overdue=False) == {"a"}


def test_the_current_practice_missed_it_once_its_acknowledgement_is_overdue() -> None:
    assert passed_over([entry("submit", "a")], "a", ack_overdue=True) == {"a"}


def test_a_practice_left_for_a_late_appointment_is_not_passed_over() -> None:
    history = [
        entry("submit", "a"),
        entry("acknowledge", "a", S.ACKNOWLEDGED),
        entry("schedule", "a", S.SCHEDULED),
        entry("redirect", "b"),
    ]
    assert passed_over(history, "b", ack_overdue=False) == frozenset()


def test_a_redirect_to_a_passed_over_practice_names_it() -> None:
    with pytest.raises(PracticePassedOver) as info:
        check_target("a", frozenset({"a"}))
    assert info.value.field == "/practice_id"
    check_target("c", frozenset({"a"}))


def test_part2_needs_consent_for_the_new_practice() -> None:
    with pytest.raises(RedisclosureConsentMissing) as info:
        check_redisclosure(True, False)
    assert info.value.field == "/consent/part2_redisclosure"
    check_redisclosure(True, True)
    check_redisclosure(False, False)


@pytest.mark.parametrize(
    ("urgency", "days", "late"),
    [("routine", 35, True), ("routine", 29, False), ("urgent", 8, True), ("urgent", 6, False)],
)
def test_a_first_appointment_later_than_the_urgency_allows_is_too_late(
    urgency: str, days: int, late: bool
) -> None:
    at = T0 + timedelta(days=days)
    limits = DEFAULT_APPOINTMENT_WITHIN_DAYS
    assert appointment_too_late(S.SCHEDULED, urgency, T0, at, [], limits) is late


def test_a_follow_up_visit_is_not_a_first_appointment() -> None:
    history = [entry("record_attended", "a", S.ATTENDED)]
    far = T0 + timedelta(days=60)
    assert not appointment_too_late(S.SCHEDULED, "routine", T0, far, history, {"routine": 30})


def test_a_too_late_appointment_makes_the_referral_redirectable() -> None:
    assert next_status(S.SCHEDULED, Action.REDIRECT, appointment_too_late=True) is S.SUBMITTED
    assert redirect_reason(S.SCHEDULED) is RedirectReason.NO_TIMELY_APPOINTMENT
    with pytest.raises(IllegalTransition):
        next_status(S.SCHEDULED, Action.REDIRECT)


def test_the_limit_counts_from_when_the_practice_holding_it_was_offered_it() -> None:
    redirected_at = T0 + timedelta(days=20)
    history = [
        entry("submit", "a"),
        TimelineEntry(redirected_at, S.SUBMITTED, "redirect", "x", "o"),
    ]
    at = T0 + timedelta(days=40)
    assert not appointment_too_late(S.SCHEDULED, "routine", T0, at, history, {"routine": 30})
    assert appointment_too_late(S.SCHEDULED, "routine", T0, at, [], {"routine": 30})
