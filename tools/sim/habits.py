"""How a receiving practice works: how often it opens its inbox, how it decides, how often it
confirms capacity, and how a referral then plays out. Pure; times are simulated minutes.

The shares follow docs/domain.md and the seeds: a warm handoff brings 40-60% of patients to a first
appointment; of those scheduled, 20-30% do not come; the commonest failures are no capacity and
nobody reaching her.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

HOUR = 60.0
DAY = 24 * HOUR
NO_SHOW_SHARE = 0.25
NEVER_UPDATES_SHARE = 0.3  # practices that never confirm capacity, so theirs goes stale
REACH_SHARE = 0.6  # of contact attempts
MAX_ATTEMPTS = 3
# Routine referrals whose first open slot is weeks away: later than the network allows (30 days),
# the far-off appointments a redirect exists for. Urgent ones are always seen within days.
FAR_OFF_SHARE = 0.08
FAR_OFF_DAYS = (35.0, 45.0)


@dataclass(frozen=True)
class Habits:
    inbox_every: float  # minutes between looks at the inbox
    decline_share: float  # declines a referral it has room for (not a fit, coverage)
    capacity_every: float | None  # minutes between capacity confirmations; None: never


def draw_habits(rng: random.Random, already_stale: bool) -> Habits:
    """A practice whose capacity is already stale is one that never confirms it."""
    never = already_stale or rng.random() < NEVER_UPDATES_SHARE
    return Habits(
        inbox_every=rng.uniform(1, 8) * HOUR,
        decline_share=rng.uniform(0.02, 0.08),
        capacity_every=None if never else rng.uniform(1, 4) * DAY,
    )


@dataclass(frozen=True)
class Attempt:
    after: float  # minutes after the previous step
    channel: str
    outcome: str


@dataclass(frozen=True)
class IntakePlan:
    """What will happen to one referral once the practice sees it."""

    review_after: float
    decline: str | None  # a coded reason, or None to acknowledge
    attempts: tuple[Attempt, ...]
    unreachable: bool  # every attempt failed: declined as unable_to_reach
    appointment_in: float  # minutes from scheduling to the appointment
    modality: str
    no_show: bool
    far_off: bool = False  # booked weeks out, beyond what the network allows


def plan_intake(
    rng: random.Random, habits: Habits, has_room: bool, urgent: bool, modalities: list[str]
) -> IntakePlan:
    decline = None
    if not has_room and rng.random() < 0.8:
        decline = "no_capacity"  # some squeeze her in anyway
    elif rng.random() < habits.decline_share:
        decline = rng.choice(["not_clinical_fit", "coverage"])
    attempts: list[Attempt] = []
    while len(attempts) < MAX_ATTEMPTS and not _reached(attempts):
        reached = rng.random() < REACH_SHARE
        outcome = "reached" if reached else rng.choice(["left_message", "no_answer"])
        after = rng.uniform(0.25, 2) * HOUR if not attempts else rng.uniform(4, 24) * HOUR
        attempts.append(Attempt(after, rng.choice(["phone", "phone", "sms"]), outcome))
    days_out = rng.uniform(1, 4) if urgent else rng.uniform(3, 14)
    plan = IntakePlan(
        review_after=rng.uniform(5, 45),
        decline=decline,
        attempts=tuple(attempts),
        unreachable=not _reached(attempts),
        appointment_in=days_out * DAY,
        modality=rng.choice(modalities or ["telehealth"]),
        no_show=rng.random() < NO_SHOW_SHARE,
    )
    # Drawn last, so the draws above stay what they were for a seed.
    if not urgent and rng.random() < FAR_OFF_SHARE:
        return replace(plan, appointment_in=rng.uniform(*FAR_OFF_DAYS) * DAY, far_off=True)
    return plan


def _reached(attempts: list[Attempt]) -> bool:
    return any(a.outcome == "reached" for a in attempts)


@dataclass(frozen=True)
class CapacityUpdate:
    available: int
    maximum: int
    next_available_in_days: int
    accepting_new_patients: bool
    waitlist_length: int


def next_capacity(
    rng: random.Random, available: int, maximum: int, waitlist: int
) -> CapacityUpdate:
    """A practice confirming its numbers: some slots freed since last time (patients finished),
    sometimes one fewer (a clinician's leave)."""
    maximum = max(maximum, 1)
    freed = rng.choice([-1, 0, 1, 1, 2, 2, 3])
    now_open = min(max(available + freed, 0), maximum)
    return CapacityUpdate(
        available=now_open,
        maximum=maximum,
        next_available_in_days=rng.randint(1, 5) if now_open else rng.randint(10, 30),
        accepting_new_patients=now_open > 0 or rng.random() < 0.5,
        waitlist_length=0 if now_open else waitlist + rng.randint(0, 2),
    )
