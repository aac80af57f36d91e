"""The referral's pure answers to follow-up events, and redirect after a missed acknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from contracts import FollowUpCompleted, FollowUpDue, GateAlertRaised, SlaBreached
from contracts.codes import RedirectReason
from contracts.lifecycle import ReferralStatus as S
from services.referral.domain.errors import IllegalTransition
from services.referral.domain.followup import (
    AckOverdue,
    ack_overdue,
    note_for,
    re_engagement_detail,
)
from services.referral.domain.lifecycle import (
    Action,
    next_status,
    redirect_reason,
)

AT = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)
ENVELOPE_AT = AT + timedelta(seconds=3)
BASE = {"referral_id": uuid4(), "site_id": "riverside-ob", "practice_id": "bloom-therapy"}


def completed(**overrides: object) -> FollowUpCompleted:
    fields: dict[str, object] = {
        "follow_up_id": uuid4(),
        "kind": "scheduling_check",
        "outcome": "not_scheduled",
        "barrier": "wait_too_long",
        "re_engaged": True,
        "completed_at": AT,
    }
    return FollowUpCompleted.model_validate(BASE | fields | overrides)


def test_an_unacknowledged_referral_of_the_named_practice_goes_back_to_the_site() -> None:
    assert ack_overdue(S.SUBMITTED, "p", "p", already_flagged=False) is AckOverdue.RETURN


def test_a_second_breach_for_the_same_wait_changes_nothing() -> None:
    assert ack_overdue(S.SUBMITTED, "p", "p", already_flagged=True) is AckOverdue.ALREADY_RETURNED


def test_a_breach_naming_a_practice_that_no_longer_owns_it_is_ignored() -> None:
    # redirected meanwhile: the new practice has a new deadline
    assert ack_overdue(S.SUBMITTED, "new", "old", already_flagged=False) is AckOverdue.REDIRECTED


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.ACKNOWLEDGED, AckOverdue.ACKNOWLEDGED),
        (S.SCHEDULED, AckOverdue.ACKNOWLEDGED),
        (S.ATTENDED, AckOverdue.ACKNOWLEDGED),
        (S.DECLINED, AckOverdue.DECLINED),
        (S.CANCELLED, AckOverdue.CANCELLED),
        (S.CLOSED, AckOverdue.CLOSED),
    ],
)
def test_a_breach_after_the_referral_moved_on_is_a_recorded_no_op(
    status: S, expected: AckOverdue
) -> None:
    assert ack_overdue(status, "p", "p", already_flagged=False) is expected


def test_redirect_from_submitted_needs_the_acknowledgement_overdue() -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(S.SUBMITTED, Action.REDIRECT)
    assert refused.value.current is S.SUBMITTED
    assert next_status(S.SUBMITTED, Action.REDIRECT, ack_overdue=True) is S.SUBMITTED


@pytest.mark.parametrize("status", [S.ACKNOWLEDGED, S.SCHEDULED, S.CANCELLED, S.CLOSED])
def test_an_overdue_flag_does_not_open_redirect_from_other_states(status: S) -> None:
    with pytest.raises(IllegalTransition):
        next_status(status, Action.REDIRECT, ack_overdue=True)


def test_the_overdue_flag_changes_no_other_transition() -> None:
    assert next_status(S.DECLINED, Action.REDIRECT, ack_overdue=True) is S.SUBMITTED
    assert next_status(S.SUBMITTED, Action.ACKNOWLEDGE, ack_overdue=True) is S.ACKNOWLEDGED


def test_the_redirect_event_says_why() -> None:
    assert redirect_reason(S.SUBMITTED) is RedirectReason.ACK_OVERDUE
    assert redirect_reason(S.DECLINED) is RedirectReason.DECLINED


def test_timeline_notes_carry_kind_and_time_only() -> None:
    breach = SlaBreached.model_validate(
        BASE | {"kind": "ack_overdue", "due_at": AT, "detected_at": AT, "urgent": False}
    )
    gate = GateAlertRaised.model_validate(
        BASE
        | {
            "gate": "hospital_discharge",
            "gate_at": AT,
            "missing": ["appointment"],
            "raised_at": AT,
            "urgent": True,
        }
    )
    due = FollowUpDue.model_validate(
        BASE
        | {
            "follow_up_id": uuid4(),
            "kind": "scheduling_check",
            "window_opens_at": AT,
            "due_at": AT + timedelta(days=3),
            "urgent": False,
        }
    )
    notes = [note_for(e, ENVELOPE_AT) for e in (breach, gate, due, completed())]
    assert [(n.action, n.kind, n.at) for n in notes] == [
        ("sla_breached", "ack_overdue", AT),
        ("gate_alert_raised", "hospital_discharge", AT),
        ("follow_up_due", "scheduling_check", ENVELOPE_AT),  # no time of its own
        ("follow_up_completed", "scheduling_check", AT),
    ]


def test_re_engagement_shows_the_barrier_else_the_outcome() -> None:
    assert re_engagement_detail(completed()) == "wait_too_long"
    assert re_engagement_detail(completed(barrier=None)) == "not_scheduled"
    assert re_engagement_detail(completed(re_engaged=False)) is None
