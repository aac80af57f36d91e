"""The network's invariant: no patient falls between two offices.

Pure: it reads one row per referral track and per positive screen track (``adapters/invariant.py``
counts their clocks and tasks) and says which break the rule. Every positive screen and every
open referral must have, at every moment, at least one of:

- a **live clock**: a ``clocks`` row about it with ``fired_at IS NULL``, armed and neither fired
  nor stopped (a referral or closure stops a screen's clocks by setting ``fired_at`` with the note
  ``stopped: screen ...``; a clock waiting to be retried after a failure is still live);
- an **open task**: a ``tasks`` row about it with ``status = 'open'`` (completed and resolved
  tasks are closed);
- a **terminal reason**: for a screen, ``screen_tracks.status`` is ``referred`` or ``closed`` (its
  referral then answers for her, or the site closed it with a coded reason); for a referral,
  ``referral_tracks.status`` is ``attended`` (care happened), ``cancelled`` or ``closed``, or a
  coordinator completed one of its tasks with a coded outcome at or after its last step
  (``tasks.status = 'completed'`` and ``closed_at >= referral_tracks.updated_at``).

And an urgent screen (a positive safety item) needs a recorded safety assessment
(``screen_tracks.safety_outcome``) by its deadline: the instant its site escalation clock
(``screen_site_escalation``) was armed to fire, whether or not it was since referred or closed.

Results carry ids and codes only: no patient details live in these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.followup.clocks.domain.screens import OPEN

# A referral in one of these states is accounted for without a clock or a task.
REFERRAL_TERMINAL = frozenset({"attended", "cancelled", "closed"})


class Breach(StrEnum):
    """What a violation is, as the report codes it."""

    REFERRAL_UNWATCHED = "referral_unwatched"  # open, no live clock, no open task, no outcome
    SCREEN_UNWATCHED = "screen_unwatched"  # open, no live clock, no open task
    URGENT_SCREEN_UNASSESSED = "urgent_screen_unassessed"  # past its deadline, no assessment


@dataclass(frozen=True)
class ReferralRow:
    """One referral track and what watches it."""

    referral_id: str
    site_id: str
    status: str
    urgent: bool
    live_clocks: int
    open_tasks: int
    outcome_recorded: bool  # a task completed with an outcome since the referral's last step


@dataclass(frozen=True)
class ScreenRow:
    """One positive screen track and what watches it."""

    screening_id: str
    site_id: str
    status: str
    urgent: bool
    safety_assessed: bool
    live_clocks: int
    open_tasks: int
    deadline: datetime | None  # its site escalation clock's instant; None: not armed (yet)


@dataclass(frozen=True)
class Violation:
    """A subject the invariant fails for: ids and codes only."""

    subject: str  # "referral" or "screen"
    id: str
    site_id: str
    breach: Breach
    status: str
    urgent: bool


def referral_violation(r: ReferralRow) -> Violation | None:
    if r.status in REFERRAL_TERMINAL or r.outcome_recorded or r.live_clocks or r.open_tasks:
        return None
    return Violation(
        "referral", r.referral_id, r.site_id, Breach.REFERRAL_UNWATCHED, r.status, r.urgent
    )


def screen_violations(s: ScreenRow, now: datetime) -> list[Violation]:
    found = []
    if s.status == OPEN and not s.live_clocks and not s.open_tasks:
        found.append(Breach.SCREEN_UNWATCHED)
    if s.urgent and not s.safety_assessed and s.deadline is not None and s.deadline <= now:
        found.append(Breach.URGENT_SCREEN_UNASSESSED)
    return [Violation("screen", s.screening_id, s.site_id, b, s.status, s.urgent) for b in found]


def violations(
    referrals: Iterable[ReferralRow], screens: Iterable[ScreenRow], now: datetime
) -> list[Violation]:
    """Every violation in the network at ``now``: referrals first, then screens."""
    found = [v for r in referrals if (v := referral_violation(r)) is not None]
    for s in screens:
        found.extend(screen_violations(s, now))
    return found
