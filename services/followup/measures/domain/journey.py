"""A referral's journey, folded from its submission and its steps (in any arrival order).

Steps are sorted by when they happened, so a step that reached the read model late still lands in
its place. A redirect hands the referral to a new practice: from then on acknowledgement is
measured for that practice, from the redirect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.followup.measures.domain.facts import Step, StepKind, Submission

# Same instant: the order the lifecycle allows (a redirect precedes what the new practice does).
_ORDER = {kind: i for i, kind in enumerate(StepKind)}
_ORDER[StepKind.REDIRECTED] = -1


@dataclass(frozen=True)
class Journey:
    submission: Submission
    practice_id: str
    """The practice that owns the referral now (after any redirect)."""
    assigned_at: datetime
    """When the current practice received it: submission, or the last redirect."""
    acknowledged_at: datetime | None
    """The current practice's acknowledgement."""
    first_scheduled_for: datetime | None
    """appointment_at of the first appointment scheduled (the earliest scheduling step)."""
    first_attended_at: datetime | None
    """appointment_at of the earliest attended appointment."""
    declines: tuple[Step, ...]
    no_shows: int
    appointment_cancellations: int
    cancelled_by_referrer: bool
    closure: str | None
    attended_appointments: tuple[datetime, ...]

    @property
    def referral_id(self) -> UUID:
        return self.submission.referral_id


def fold(submission: Submission, steps: Iterable[Step]) -> Journey:
    practice, assigned_at = submission.practice_id, submission.submitted_at
    acknowledged_at: datetime | None = None
    first_scheduled: Step | None = None
    attended: list[datetime] = []
    declines: list[Step] = []
    no_shows = cancellations = 0
    cancelled, closure = False, None
    for step in sorted(steps, key=lambda s: (s.at, _ORDER[s.kind])):
        match step.kind:
            case StepKind.REDIRECTED:
                practice, assigned_at, acknowledged_at = step.practice_id, step.at, None
            case StepKind.ACKNOWLEDGED if step.practice_id == practice:
                acknowledged_at = acknowledged_at or step.at
            case StepKind.DECLINED:
                declines.append(step)
            case StepKind.SCHEDULED if first_scheduled is None:
                first_scheduled = step
            case StepKind.ATTENDED if step.appointment_at is not None:
                attended.append(step.appointment_at)
            case StepKind.MISSED:
                no_shows += 1
            case StepKind.APPOINTMENT_CANCELLED:
                cancellations += 1
            case StepKind.CANCELLED:
                cancelled = True
            case StepKind.CLOSED:
                closure = step.reason
    return Journey(
        submission=submission,
        practice_id=practice,
        assigned_at=assigned_at,
        acknowledged_at=acknowledged_at,
        first_scheduled_for=first_scheduled.appointment_at if first_scheduled else None,
        first_attended_at=min(attended) if attended else None,
        declines=tuple(declines),
        no_shows=no_shows,
        appointment_cancellations=cancellations,
        cancelled_by_referrer=cancelled,
        closure=closure,
        attended_appointments=tuple(sorted(attended)),
    )


def fold_all(submissions: Iterable[Submission], steps: Iterable[Step]) -> list[Journey]:
    by_referral: dict[UUID, list[Step]] = {}
    for step in steps:
        by_referral.setdefault(step.referral_id, []).append(step)
    return [fold(s, by_referral.get(s.referral_id, ())) for s in submissions]
