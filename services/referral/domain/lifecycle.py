"""The referral state machine (docs/domain.md "Referral lifecycle"). Pure.

Only the owning practice moves a referral through intake; only the referring site cancels it.
An action that does not fit the current state is an IllegalTransition (a Conflict) naming that
state.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from contracts.codes import RedirectReason
from contracts.lifecycle import ReferralStatus as Status
from services.referral.domain.errors import AppointmentNotYetHeld, IllegalTransition


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RECORD_CONTACT = "record_contact"  # no state change
    SCHEDULE = "schedule"
    RECORD_ATTENDED = "record_attended"
    RECORD_MISSED = "record_missed"
    CANCEL_APPOINTMENT = "cancel_appointment"
    DECLINE = "decline"
    CANCEL = "cancel"  # by the referrer
    # by the referrer, after a decline, a missed ack or a too-late first appointment
    REDIRECT = "redirect"
    CLOSE = "close"


PRACTICE_ACTIONS = frozenset(
    {
        Action.ACKNOWLEDGE,
        Action.RECORD_CONTACT,
        Action.SCHEDULE,
        Action.RECORD_ATTENDED,
        Action.RECORD_MISSED,
        Action.CANCEL_APPOINTMENT,
        Action.DECLINE,
        Action.CLOSE,
    }
)
REFERRER_ACTIONS = frozenset({Action.CANCEL, Action.REDIRECT})

OPEN = frozenset(
    {
        Status.SUBMITTED,
        Status.ACKNOWLEDGED,
        Status.SCHEDULED,
        Status.NO_SHOW,
        Status.APPOINTMENT_CANCELLED,
        Status.ATTENDED,
    }
)

# (from, action) -> to
_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.SUBMITTED, Action.ACKNOWLEDGE): Status.ACKNOWLEDGED,
    (Status.SUBMITTED, Action.DECLINE): Status.DECLINED,
    (Status.SUBMITTED, Action.RECORD_CONTACT): Status.SUBMITTED,
    (Status.ACKNOWLEDGED, Action.RECORD_CONTACT): Status.ACKNOWLEDGED,
    (Status.ACKNOWLEDGED, Action.SCHEDULE): Status.SCHEDULED,
    (Status.ACKNOWLEDGED, Action.DECLINE): Status.DECLINED,
    (Status.SCHEDULED, Action.RECORD_CONTACT): Status.SCHEDULED,
    (Status.SCHEDULED, Action.RECORD_ATTENDED): Status.ATTENDED,
    (Status.SCHEDULED, Action.RECORD_MISSED): Status.NO_SHOW,
    (Status.SCHEDULED, Action.CANCEL_APPOINTMENT): Status.APPOINTMENT_CANCELLED,
    (Status.NO_SHOW, Action.RECORD_CONTACT): Status.NO_SHOW,
    (Status.NO_SHOW, Action.SCHEDULE): Status.SCHEDULED,
    (Status.NO_SHOW, Action.DECLINE): Status.DECLINED,
    (Status.APPOINTMENT_CANCELLED, Action.RECORD_CONTACT): Status.APPOINTMENT_CANCELLED,
    (Status.APPOINTMENT_CANCELLED, Action.SCHEDULE): Status.SCHEDULED,
    (Status.APPOINTMENT_CANCELLED, Action.DECLINE): Status.DECLINED,
    (Status.ATTENDED, Action.SCHEDULE): Status.SCHEDULED,  # a follow-up visit
    (Status.ATTENDED, Action.CLOSE): Status.CLOSED,
    (Status.DECLINED, Action.REDIRECT): Status.SUBMITTED,
}
for _open in OPEN:
    _TRANSITIONS[(_open, Action.CANCEL)] = Status.CANCELLED


def next_status(
    current: Status,
    action: Action,
    *,
    ack_overdue: bool = False,
    appointment_too_late: bool = False,
) -> Status:
    """`ack_overdue`: the follow-up service reported the acknowledgement deadline missed.
    `appointment_too_late`: her first appointment is later than her urgency allows
    (domain/redirect.py).

    Besides a declined referral, the referrer may then redirect one still unacknowledged: the
    patient was told she would hear within a business day, so the site must not be left waiting
    on a silent practice; or one whose practice cannot see her in time.
    """
    if (current, action, ack_overdue) == (Status.SUBMITTED, Action.REDIRECT, True):
        return Status.SUBMITTED
    if (current, action, appointment_too_late) == (Status.SCHEDULED, Action.REDIRECT, True):
        return Status.SUBMITTED
    try:
        return _TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(current, action) from None


# Whether she came can only be known once the appointment's time has come.
AFTER_THE_APPOINTMENT = frozenset({Action.RECORD_ATTENDED, Action.RECORD_MISSED})


def check_appointment_held(action: Action, appointment_at: datetime | None, now: datetime) -> None:
    """Attendance or a no-show recorded before the appointment's time is refused, naming that
    time (`now` is the server's clock). Asked after `next_status`, so an action the state does
    not allow is refused as that first."""
    if action in AFTER_THE_APPOINTMENT and appointment_at is not None and now < appointment_at:
        raise AppointmentNotYetHeld(appointment_at)


def allowed_actions(current: Status) -> list[Action]:
    return sorted(a for (s, a) in _TRANSITIONS if s == current)


def redirect_reason(current: Status) -> RedirectReason:
    """Why a redirect from `current` happens (only declined, overdue and too-late ones are
    allowed)."""
    if current is Status.SCHEDULED:
        return RedirectReason.NO_TIMELY_APPOINTMENT
    return RedirectReason.ACK_OVERDUE if current is Status.SUBMITTED else RedirectReason.DECLINED
