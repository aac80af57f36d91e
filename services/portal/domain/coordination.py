"""The site coordinator's console as she reads it: her tasks sorted into what is due, the gate
risks and the re-engagement already done; the words for the codes; what the completion form
refuses, beside the field. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.codes import FollowUpBarrier, FollowUpOutcome, ReEngagementStep, TaskKind

OUTCOME_LABELS = {
    FollowUpOutcome.SCHEDULED: "She is scheduled",
    FollowUpOutcome.ATTENDED: "She attended",
    FollowUpOutcome.NOT_SCHEDULED: "Not scheduled",
    FollowUpOutcome.NOT_ATTENDED: "Did not attend",
    FollowUpOutcome.UNABLE_TO_REACH: "Could not reach her",
}
BARRIER_LABELS = {
    FollowUpBarrier.NO_CAPACITY: "The practice had no room",
    FollowUpBarrier.WAIT_TOO_LONG: "The wait was too long",
    FollowUpBarrier.COVERAGE: "Insurance or coverage",
    FollowUpBarrier.COST: "Cost",
    FollowUpBarrier.TRANSPORTATION: "Transportation",
    FollowUpBarrier.CHILDCARE: "Childcare",
    FollowUpBarrier.SCHEDULING_CONFLICT: "The times did not fit",
    FollowUpBarrier.PATIENT_DECLINED: "She declined",
    FollowUpBarrier.UNABLE_TO_REACH: "Could not reach her",
    FollowUpBarrier.OTHER: "Something else",
}
TRIED_LABELS = {
    ReEngagementStep.CALLED: "Called her",
    ReEngagementStep.TEXTED: "Texted her",
    ReEngagementStep.MET_AT_VISIT: "Spoke with her at a visit",
    ReEngagementStep.CALLED_PRACTICE: "Called the practice",
    ReEngagementStep.RE_REFERRED: "Referred her again",
    ReEngagementStep.OFFERED_TELEHEALTH: "Offered telehealth",
    ReEngagementStep.ARRANGED_TRANSPORT: "Arranged transport",
    ReEngagementStep.ARRANGED_CHILDCARE: "Arranged childcare",
    ReEngagementStep.HELPED_WITH_COVERAGE: "Helped with coverage",
    ReEngagementStep.OTHER: "Something else",
}
TASK_LABELS = {
    TaskKind.SCHEDULING_CHECK: "Scheduling check (7 to 10 days)",
    TaskKind.NEXT_VISIT_CHECK: "Next-visit check",
    TaskKind.ACK_OVERDUE: "Practice has not acknowledged",
    TaskKind.DISCHARGE_GATE: "Discharge without an appointment",
    TaskKind.IOP_GATE: "Last IOP/PHP session without an appointment",
}
BREACH_LABELS = {
    "ack_overdue": "Not acknowledged in time",
    "followup_overdue": "Follow-up not done in time",
    "discharge_without_appointment": "Discharged without an appointment",
    "iop_last_session_without_appointment": "Last IOP/PHP session without an appointment",
}
GATE_KINDS = frozenset({TaskKind.DISCHARGE_GATE, TaskKind.IOP_GATE})
CARE_HAPPENED = frozenset({FollowUpOutcome.SCHEDULED, FollowUpOutcome.ATTENDED})


def label(labels: Mapping[Any, str], code: str | None) -> str:
    if code is None:
        return ""
    return labels.get(code, code.replace("_", " "))


def parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def local_time(iso: str, zone: ZoneInfo) -> str:
    return parse(iso).astimezone(zone).strftime("%a %d %b, %H:%M")


@dataclass(frozen=True)
class Console:
    due: list[dict[str, Any]]
    gate_risks: list[dict[str, Any]]
    re_engagement: list[dict[str, Any]]


def task_view(task: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    return dict(task) | {
        "kind_label": label(TASK_LABELS, task["kind"]),
        "due": local_time(task["due_at"], zone),
        "opened": local_time(task["opened_at"], zone),
        "outcome_label": label(OUTCOME_LABELS, task.get("outcome")),
        "barrier_label": label(BARRIER_LABELS, task.get("barrier")),
        "tried_labels": [label(TRIED_LABELS, t) for t in task.get("tried") or []],
    }


def console(tasks: Iterable[Mapping[str, Any]], zone: ZoneInfo) -> Console:
    """Her referral tasks, as the follow-up service lists them (open first, urgent first, then
    earliest due): open gate tasks are the gate risks, the other open ones are due, and the
    completed ones are what re-engagement was done, latest first."""
    due: list[dict[str, Any]] = []
    gates: list[dict[str, Any]] = []
    done: list[dict[str, Any]] = []
    for task in tasks:
        if task.get("referral_id") is None:
            continue  # a screen's task is settled on the worklist, by referring or closing
        view = task_view(task, zone)
        if task["status"] == "open":
            (gates if task["kind"] in GATE_KINDS else due).append(view)
        elif task["status"] == "completed":
            done.append(view)
    done.sort(key=lambda t: t["closed_at"] or "", reverse=True)
    return Console(due, gates, done)


def breach_views(breaches: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Latest first: the one to act on is the one just missed."""
    return [
        dict(b)
        | {
            "kind_label": label(BREACH_LABELS, b["kind"]),
            "detected": local_time(b["detected_at"], zone),
        }
        for b in sorted(breaches, key=lambda b: b["detected_at"], reverse=True)
    ]


@dataclass(frozen=True)
class Completion:
    """The completion form as she filled it in: what the follow-up service is sent, or what to
    correct beside each field."""

    outcome: str
    barrier: str
    tried: tuple[str, ...]
    re_engaged: str

    def errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.outcome not in set(FollowUpOutcome):
            found["outcome"] = "Choose what you found."
        elif FollowUpOutcome(self.outcome) in CARE_HAPPENED and self.barrier:
            found["barrier"] = "Leave this empty: care happened."
        elif FollowUpOutcome(self.outcome) not in CARE_HAPPENED and not self.barrier:
            found["barrier"] = "Choose what stood in the way."
        if self.barrier and self.barrier not in set(FollowUpBarrier):
            found["barrier"] = "Choose one of the barriers listed."
        if any(t not in set(ReEngagementStep) for t in self.tried):
            found["tried"] = "Choose from the steps listed."
        if self.re_engaged not in {"yes", "no"}:
            found["re_engaged"] = "Say whether she is back in care's way: yes or no."
        return found

    def body(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "barrier": self.barrier or None,
            "tried": list(self.tried),
            "re_engaged": self.re_engaged == "yes",
        }


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first: 2026-02, 3 -> 2025-12 .. 2026-02."""
    year, number = (int(part) for part in month.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{number:02d}")
        year, number = (year - 1, 12) if number == 1 else (year, number - 1)
    return out[::-1]


def is_month(value: str) -> bool:
    if len(value) != 7 or value[4] != "-":
        return False
    year, number = value[:4], value[5:]
    return year.isdigit() and number.isdigit() and 1 <= int(number) <= 12
