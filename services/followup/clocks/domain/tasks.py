"""What each coordinator task asks of the referring site, in words a coordinator acts on."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.codes import (
    FollowUpBarrier,
    FollowUpKind,
    FollowUpOutcome,
    ReEngagementStep,
    TaskKind,
)
from services.followup.clocks.domain.errors import BarrierMisstated

# Outcomes that mean care happened: no barrier to record.
CARE_HAPPENED = frozenset({FollowUpOutcome.SCHEDULED, FollowUpOutcome.ATTENDED})

_WHAT_TO_DO = {
    TaskKind.ACK_OVERDUE: (
        "The practice has not acknowledged within its deadline: call its intake line, or "
        "redirect the referral to one of the next matches."
    ),
    TaskKind.SCHEDULING_CHECK: (
        "7 to 10 days since the referral and no appointment yet: contact the patient and the "
        "practice, confirm she is scheduled, record what stands in the way if not."
    ),
    TaskKind.NEXT_VISIT_CHECK: (
        "The appointment was missed or the referral declined: at the patient's next visit "
        "confirm whether she is scheduled and attended; if not, record why and re-engage."
    ),
    TaskKind.DISCHARGE_GATE: (
        "Discharge is near and no outpatient appointment is confirmed: confirm one with the "
        "practice before the patient leaves, and list it on the discharge papers."
    ),
    TaskKind.IOP_GATE: (
        "The last IOP/PHP session is near: schedule the first outpatient appointment and send "
        "the discharge summary before it, then confirm with the provider."
    ),
}


def what_to_do(kind: TaskKind) -> str:
    return _WHAT_TO_DO[kind]


def follow_up_kind(kind: TaskKind) -> FollowUpKind:
    """The follow-up a task is, as the events name it: next-visit checks, or scheduling checks."""
    if kind is TaskKind.NEXT_VISIT_CHECK:
        return FollowUpKind.NEXT_VISIT_CHECK
    return FollowUpKind.SCHEDULING_CHECK


@dataclass(frozen=True)
class CompleteTask:
    """What the coordinator found: a barrier when care did not happen, and only then; and what
    she tried to re-engage her (codes, each once)."""

    task_id: UUID
    outcome: FollowUpOutcome
    barrier: FollowUpBarrier | None = None
    re_engaged: bool = False
    tried: tuple[ReEngagementStep, ...] = ()

    @property
    def tried_codes(self) -> list[str]:
        return sorted({step.value for step in self.tried})

    def __post_init__(self) -> None:
        if self.outcome not in CARE_HAPPENED and self.barrier is None:
            raise BarrierMisstated("needed when the patient was not scheduled or seen")
        if self.outcome in CARE_HAPPENED and self.barrier is not None:
            raise BarrierMisstated("applies only when care did not happen")
