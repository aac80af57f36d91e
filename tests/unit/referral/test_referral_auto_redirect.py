"""The redirect the network makes by itself: when it is still due, which match it takes, when it
waits for the site instead, and when (by policy) it is made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.codes import RedirectHold, RedirectReason
from contracts.lifecycle import ReferralStatus as S
from services.referral.domain.auto_redirect import (
    AutoRedirects,
    RedirectPolicy,
    choose,
    next_step,
    still_due,
)

T0 = datetime(2026, 3, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reason", "status", "ack_overdue", "late", "due"),
    [
        (RedirectReason.DECLINED, S.DECLINED, False, False, True),
        (RedirectReason.DECLINED, S.SUBMITTED, False, False, False),  # the site moved it
        (RedirectReason.DECLINED, S.CANCELLED, False, False, False),
        (RedirectReason.ACK_OVERDUE, S.SUBMITTED, True, False, True),
        (RedirectReason.ACK_OVERDUE, S.ACKNOWLEDGED, True, False, False),  # answered after all
        (RedirectReason.ACK_OVERDUE, S.SUBMITTED, False, False, False),  # a new practice has it
        (RedirectReason.NO_TIMELY_APPOINTMENT, S.SCHEDULED, False, True, True),
        (RedirectReason.NO_TIMELY_APPOINTMENT, S.SCHEDULED, False, False, False),  # re-booked
        (RedirectReason.NO_TIMELY_APPOINTMENT, S.ATTENDED, False, False, False),
        (RedirectReason.ACK_OVERDUE, S.DECLINED, True, False, False),  # a decline's own trigger
    ],
)
def test_a_trigger_is_still_due_only_while_the_referral_is_where_it_left_it(
    reason: RedirectReason, status: S, ack_overdue: bool, late: bool, due: bool
) -> None:
    assert still_due(reason, status, ack_overdue=ack_overdue, appointment_too_late=late) is due


def test_the_best_match_not_excluded_is_chosen() -> None:
    matches = [{"organization_id": o, "service_id": f"{o}-svc"} for o in ("a", "b", "c")]
    assert choose(matches, frozenset({"a"})) == matches[1]
    assert choose(matches, frozenset({"a", "b", "c"})) is None
    assert choose([], frozenset()) is None


def test_part2_waits_for_consent_naming_the_next_match_even_when_one_is_found() -> None:
    step = next_step(True, "b")
    assert (step.hold, step.target) == (RedirectHold.REDISCLOSURE_CONSENT_NEEDED, "b")
    assert next_step(True, None).hold is RedirectHold.REDISCLOSURE_CONSENT_NEEDED


def test_no_match_waits_for_the_site_and_a_match_moves_it() -> None:
    assert next_step(False, None).hold is RedirectHold.NO_MATCH
    step = next_step(False, "b")
    assert (step.target, step.hold) == ("b", None)


def test_the_policy_says_when_a_redirect_is_made() -> None:
    window = timedelta(hours=4)
    assert AutoRedirects(RedirectPolicy.AUTOMATIC, window).due_at(T0) == T0
    assert AutoRedirects(RedirectPolicy.PROPOSE, window).due_at(T0) == T0 + window
    assert not AutoRedirects(RedirectPolicy.MANUAL).on
    assert AutoRedirects(RedirectPolicy.PROPOSE).proposes
