"""How a referral answers the follow-up service's events. Pure: the handlers apply the decisions.

The follow-up service owns the clocks (business days, holidays); the referral service trusts its
word that a deadline passed and decides only what that means for the referral as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from contracts import FollowUpCompleted, FollowUpDue, GateAlertRaised, SlaBreached
from contracts.lifecycle import ReferralStatus as Status

# Who the timeline names for what the network itself did (no user acted).
NETWORK = "network"
RETURNED_TO_WORKLIST = "returned_to_worklist"
NO_ACTION = "no_action"

FollowUpPayload = SlaBreached | GateAlertRaised | FollowUpDue | FollowUpCompleted


@dataclass(frozen=True)
class FollowedReferral:
    """What the answers to follow-up events read of a referral, held locked while they decide."""

    id: UUID
    site_id: str
    practice_id: str
    status: Status
    ack_overdue_at: datetime | None


class AckOverdue(StrEnum):
    """What an `ack_overdue` breach does. Only RETURN changes anything; the rest are recorded
    on the timeline as the reason nothing was done."""

    RETURN = "return"
    ALREADY_RETURNED = "already_returned"
    REDIRECTED = "redirected"  # another practice owns the referral now
    ACKNOWLEDGED = "acknowledged"  # the practice answered meanwhile (and may have gone further)
    DECLINED = "declined"  # already back on the worklist through the decline
    CANCELLED = "cancelled"
    CLOSED = "closed"


_ENDED = {
    Status.DECLINED: AckOverdue.DECLINED,
    Status.CANCELLED: AckOverdue.CANCELLED,
    Status.CLOSED: AckOverdue.CLOSED,
}


def ack_overdue(
    status: Status, owner_practice_id: str, breached_practice_id: str, *, already_flagged: bool
) -> AckOverdue:
    """The breach counts only while the practice it names still owns a referral it has not
    acknowledged: a late event must not pull back a referral that has moved on."""
    if owner_practice_id != breached_practice_id:
        return AckOverdue.REDIRECTED
    if status is Status.SUBMITTED:
        return AckOverdue.ALREADY_RETURNED if already_flagged else AckOverdue.RETURN
    return _ENDED.get(status, AckOverdue.ACKNOWLEDGED)


@dataclass(frozen=True)
class Note:
    """A follow-up event as the referring site's timeline shows it: its kind and time, no PHI."""

    action: str
    kind: str
    at: datetime


def note_for(event: FollowUpPayload, occurred_at: datetime) -> Note:
    """`occurred_at` (the envelope's) stands in where the event carries no time of its own."""
    match event:
        case SlaBreached():
            return Note("sla_breached", event.kind, event.detected_at)
        case GateAlertRaised():
            return Note("gate_alert_raised", event.gate, event.raised_at)
        case FollowUpDue():
            return Note("follow_up_due", event.kind, occurred_at)
        case FollowUpCompleted():
            return Note("follow_up_completed", event.kind, event.completed_at)


def re_engagement_detail(event: FollowUpCompleted) -> str | None:
    """The code shown with a re-engagement item (the barrier, else what the coordinator found),
    or None when the coordinator did not re-engage the patient."""
    if not event.re_engaged:
        return None
    return event.barrier or event.outcome
