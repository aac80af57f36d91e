"""The referral state machine, against docs/domain.md's lifecycle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.lifecycle import ReferralStatus as S
from services.referral.domain.errors import AppointmentNotYetHeld, IllegalTransition
from services.referral.domain.lifecycle import (
    OPEN,
    PRACTICE_ACTIONS,
    REFERRER_ACTIONS,
    Action,
    allowed_actions,
    check_appointment_held,
    next_status,
)

HAPPY_PATH = [
    (S.SUBMITTED, Action.ACKNOWLEDGE, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, Action.RECORD_CONTACT, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, Action.SCHEDULE, S.SCHEDULED),
    (S.SCHEDULED, Action.RECORD_ATTENDED, S.ATTENDED),
    (S.ATTENDED, Action.CLOSE, S.CLOSED),
]


@pytest.mark.parametrize(("current", "action", "expected"), HAPPY_PATH)
def test_the_warm_handoff_path(current: S, action: Action, expected: S) -> None:
    assert next_status(current, action) is expected


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (S.SUBMITTED, Action.DECLINE, S.DECLINED),
        (S.SCHEDULED, Action.RECORD_MISSED, S.NO_SHOW),
        (S.NO_SHOW, Action.SCHEDULE, S.SCHEDULED),
        (S.SCHEDULED, Action.CANCEL_APPOINTMENT, S.APPOINTMENT_CANCELLED),
        (S.APPOINTMENT_CANCELLED, Action.SCHEDULE, S.SCHEDULED),
        (S.DECLINED, Action.REDIRECT, S.SUBMITTED),
    ],
)
def test_no_shows_cancellations_declines_and_redirects(
    current: S, action: Action, expected: S
) -> None:
    assert next_status(current, action) is expected


@pytest.mark.parametrize("current", sorted(OPEN))
def test_the_referrer_can_cancel_any_open_referral(current: S) -> None:
    assert next_status(current, Action.CANCEL) is S.CANCELLED


@pytest.mark.parametrize(
    ("current", "action"),
    [
        (S.SUBMITTED, Action.RECORD_ATTENDED),
        (S.SUBMITTED, Action.SCHEDULE),
        (S.CLOSED, Action.CANCEL),
        (S.CANCELLED, Action.ACKNOWLEDGE),
        (S.DECLINED, Action.ACKNOWLEDGE),
        (S.ACKNOWLEDGED, Action.REDIRECT),
    ],
)
def test_illegal_transitions_name_the_current_state(current: S, action: Action) -> None:
    with pytest.raises(IllegalTransition) as info:
        next_status(current, action)
    assert info.value.current is current
    assert str(current) in str(info.value)


def test_terminal_states_allow_nothing_and_roles_never_overlap() -> None:
    assert allowed_actions(S.CLOSED) == []
    assert allowed_actions(S.CANCELLED) == []
    assert not PRACTICE_ACTIONS & REFERRER_ACTIONS
    assert set(Action) == PRACTICE_ACTIONS | REFERRER_ACTIONS


APPOINTMENT = datetime(2026, 5, 11, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("action", [Action.RECORD_ATTENDED, Action.RECORD_MISSED])
def test_attendance_before_the_appointment_is_refused_naming_its_time(action: Action) -> None:
    with pytest.raises(AppointmentNotYetHeld) as info:
        check_appointment_held(action, APPOINTMENT, APPOINTMENT - timedelta(days=5))
    assert info.value.extensions == {"appointment_at": APPOINTMENT.isoformat()}
    assert APPOINTMENT.isoformat() in info.value.detail


@pytest.mark.parametrize("action", [Action.RECORD_ATTENDED, Action.RECORD_MISSED])
def test_attendance_from_the_appointment_on_is_recorded(action: Action) -> None:
    check_appointment_held(action, APPOINTMENT, APPOINTMENT)
    check_appointment_held(action, APPOINTMENT, APPOINTMENT + timedelta(hours=1))


def test_other_actions_do_not_wait_for_the_appointment() -> None:
    early = APPOINTMENT - timedelta(days=5)
    for action in set(Action) - {Action.RECORD_ATTENDED, Action.RECORD_MISSED}:
        check_appointment_held(action, APPOINTMENT, early)
