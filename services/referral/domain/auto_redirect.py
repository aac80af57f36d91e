"""The redirect the network makes by itself (docs/domain.md "Referral lifecycle"). Pure.

On a decline, a missed acknowledgement or a first appointment later than her urgency allows, the
referral is offered to the next match that has not declined or missed it. Per network policy it
moves at once (the site is told), or the site is offered the move first and it moves if nobody
answers in time, or never by itself (`manual`). A 42 CFR Part 2 referral never moves without her
fresh consent naming the new practice: the site gets a task instead, as when no practice is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from contracts.codes import RedirectHold, RedirectReason
from contracts.lifecycle import ReferralStatus as Status
from services.referral.domain.errors import IllegalTransition
from services.referral.domain.lifecycle import Action, next_status, redirect_reason


class RedirectPolicy(StrEnum):
    AUTOMATIC = "automatic"  # moves at once; the site is told
    PROPOSE = "propose"  # offered to the site first; moves if nobody answers in time
    MANUAL = "manual"  # only the site redirects


@dataclass(frozen=True)
class AutoRedirects:
    """The network's policy, from settings."""

    policy: RedirectPolicy = RedirectPolicy.MANUAL
    proposal_window: timedelta = timedelta(hours=4)

    @property
    def on(self) -> bool:
        return self.policy is not RedirectPolicy.MANUAL

    @property
    def proposes(self) -> bool:
        return self.policy is RedirectPolicy.PROPOSE

    def due_at(self, now: datetime) -> datetime:
        """When a redirect triggered `now` is made if the site has not acted by then."""
        return now + self.proposal_window if self.proposes else now


MANUAL = AutoRedirects()


def still_due(
    reason: RedirectReason, status: Status, *, ack_overdue: bool, appointment_too_late: bool
) -> bool:
    """The referral is still where the trigger left it: the site did not redirect, cancel or
    settle it meanwhile, and the practice did not answer after all."""
    try:
        next_status(
            status,
            Action.REDIRECT,
            ack_overdue=ack_overdue,
            appointment_too_late=appointment_too_late,
        )
    except IllegalTransition:
        return False
    return redirect_reason(status) is reason


def choose(
    matches: Iterable[Mapping[str, Any]], excluded: frozenset[str]
) -> Mapping[str, Any] | None:
    """The best-ranked match whose practice has not declined, missed or held the referral."""
    return next((m for m in matches if m["organization_id"] not in excluded), None)


T = TypeVar("T")


@dataclass(frozen=True)
class Step(Generic[T]):
    """What the network does with a due redirect: move it to `target`, or hold it for the site
    (`hold`; `target` then names the next match, if any, that her consent would be for)."""

    target: T | None = None
    hold: RedirectHold | None = None


def next_step(part2: bool, target: T | None) -> Step[T]:
    if part2:
        return Step(target=target, hold=RedirectHold.REDISCLOSURE_CONSENT_NEEDED)
    if target is None:
        return Step(hold=RedirectHold.NO_MATCH)
    return Step(target=target)
