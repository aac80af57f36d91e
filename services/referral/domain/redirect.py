"""Where a referral may move next, and when: the pure rules of a redirect.

A referral is never offered again to a practice that declined it or let its acknowledgement
deadline pass (the referral's timeline says which: docs/domain.md "Referral lifecycle"). A 42 CFR
Part 2 referral moves only with her fresh consent to redisclose to the new practice. A first
appointment later than the urgency allows makes the referral redirectable (no_timely_appointment).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from contracts.lifecycle import ReferralStatus as Status
from services.referral.domain.errors import PracticePassedOver, RedisclosureConsentMissing
from services.referral.domain.referral import TimelineEntry

# Days from the referral's submission within which her first appointment must fall.
DEFAULT_APPOINTMENT_WITHIN_DAYS: Mapping[str, int] = {"urgent": 7, "routine": 30}
_OFFERED = frozenset({"submit", "redirect"})


def passed_over(
    history: Iterable[TimelineEntry], current_practice: str, *, ack_overdue: bool
) -> frozenset[str]:
    """The practices that declined the referral or never acknowledged it in time.

    A redirect away from a practice that had not acknowledged it can only follow a missed
    acknowledgement (lifecycle.next_status), so the timeline alone tells both apart from a
    practice left for another reason (a far-off appointment)."""
    gone: set[str] = set()
    offered_to, acknowledged = None, False
    for entry in history:
        if entry.action in _OFFERED:
            if entry.action == "redirect" and offered_to is not None and not acknowledged:
                gone.add(offered_to)
            offered_to, acknowledged = entry.practice_id, False
        elif entry.action == "acknowledge":
            acknowledged = True
        elif entry.action == "decline" and entry.practice_id is not None:
            gone.add(entry.practice_id)
    if ack_overdue:
        gone.add(current_practice)
    return frozenset(gone)


def check_target(target_practice: str, gone: frozenset[str]) -> None:
    """A practice that declined or missed this referral is not offered it again."""
    if target_practice in gone:
        raise PracticePassedOver(target_practice)


def check_redisclosure(part2: bool, consent_for_target: bool) -> None:
    """Part 2 data goes to a new practice only with her consent naming that practice."""
    if part2 and not consent_for_target:
        raise RedisclosureConsentMissing()


def appointment_too_late(
    status: Status,
    urgency: str,
    submitted_at: datetime,
    appointment_at: datetime | None,
    history: Iterable[TimelineEntry],
    within_days: Mapping[str, int],
) -> bool:
    """Her first appointment is booked later than her urgency allows, counted from when the
    practice holding the referral was offered it (its submission, or the last redirect: a
    practice is not held to days it never had). A follow-up visit after one she attended is not a
    first appointment. Without a history, the count starts at submission, the earliest start."""
    if status is not Status.SCHEDULED or appointment_at is None:
        return False
    offered_at = submitted_at
    for entry in history:
        if entry.action == "record_attended":
            return False
        if entry.action in _OFFERED:
            offered_at = entry.at
    days = within_days.get(urgency, within_days.get("routine", 30))
    return appointment_at > offered_at + timedelta(days=days)
