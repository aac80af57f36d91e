"""The time rules of a warm handoff: which clocks a referral arms, and what each does when it fires.

Pure: a clock is armed from what the events said (a ``Track``), and when it fires the rule looks
at the track *as it is then*, so a clock whose condition was met meanwhile (the practice
acknowledged, an appointment was booked) fires into a recorded no-op instead of a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from contracts.codes import GateKind, GateRequirement, SlaKind, TaskKind
from warmlink.business_time import AcknowledgementRule, BusinessCalendar


class ClockKind(StrEnum):
    ACK_DUE = "ack_due"  # the practice's acknowledgement deadline
    # Urgent only: not acknowledged in the first business hours, an early alert to people.
    URGENT_ACK_ALERT = "urgent_ack_alert"
    FOLLOWUP_WINDOW = "followup_window"  # the 7-to-10-day scheduling check opens
    FOLLOWUP_DEADLINE = "followup_deadline"  # ... and closes
    GATE_ALERT = "gate_alert"  # lead time before hospital discharge / last IOP session
    GATE_DEADLINE = "gate_deadline"  # the discharge / last session itself
    # A positive screen neither referred nor closed (domain/screens.py): whose task it becomes.
    SCREEN_SITE = "screen_site_escalation"
    SCREEN_NETWORK = "screen_network_escalation"


# A referral in one of these states needs no more clocks or tasks.
FINISHED = frozenset({"cancelled", "closed"})
HAS_APPOINTMENT = frozenset({"scheduled", "attended"})


@dataclass(frozen=True)
class ClockPolicy:
    """How long each rule waits; urgent referrals run on the shorter clocks (all configurable)."""

    ack_business_days: int = 1
    urgent_ack_open_hours: float = 4.0
    urgent_ack_alert_open_hours: float = 2.0
    followup_opens_days: int = 7
    followup_due_days: int = 10
    urgent_followup_opens_days: int = 2
    urgent_followup_due_days: int = 3
    hospital_alert_lead_hours: float = 4.0
    iop_alert_lead_hours: float = 48.0
    reengage_business_days: int = 2
    urgent_reengage_business_days: int = 1
    # A positive screen is referred or closed within these site business hours (urgent: None,
    # by the close of the same business day), else its coordinator gets a task; these hours
    # later still, the network's coordinator.
    screen_account_hours: float = 8.0
    urgent_screen_account_hours: float | None = None
    screen_network_after_hours: float = 8.0
    urgent_screen_network_after_hours: float = 1.0


@dataclass(frozen=True)
class Track:
    """What the clocks know of one referral: ids, setting and the facts the rules look at."""

    referral_id: str
    site_id: str
    practice_id: str
    setting: str
    urgent: bool
    status: str
    submitted_at: datetime
    # IOP/PHP: the summary was delivered as a document (DischargeSummaryDelivered), or the
    # referral carried the legacy reference string up front (ReferralSubmitted).
    discharge_summary_sent: bool = False
    appointment_needed_by: datetime | None = None
    # IOP/PHP referrals submitted without the legacy reference also need the provider's word
    # that she has the appointment (OutpatientAppointmentConfirmed). Legacy ones keep the old
    # rule: the reference counts as the summary sent, and no confirmation is asked for.
    provider_confirmation_required: bool = False
    provider_confirmed: bool = False

    @property
    def active(self) -> bool:
        return self.status not in FINISHED

    @property
    def has_appointment(self) -> bool:
        return self.status in HAS_APPOINTMENT

    @property
    def gate(self) -> GateKind | None:
        if self.appointment_needed_by is None:
            return None
        if self.setting == "hospital":
            return GateKind.HOSPITAL_DISCHARGE
        if self.setting == "iop_php":
            return GateKind.IOP_LAST_SESSION
        return None

    @property
    def appointment_ready(self) -> bool:
        """An appointment exists, and (IOP/PHP) the outpatient provider confirmed it."""
        unconfirmed = self.provider_confirmation_required and not self.provider_confirmed
        return self.has_appointment and not (self.gate is GateKind.IOP_LAST_SESSION and unconfirmed)

    def missing_before_gate(self) -> tuple[GateRequirement, ...]:
        # An appointment the provider has not confirmed is still a missing appointment: the
        # contract's GateRequirement codes stay as released (a new code would break consumers).
        missing = [] if self.appointment_ready else [GateRequirement.APPOINTMENT]
        if self.gate is GateKind.IOP_LAST_SESSION and not self.discharge_summary_sent:
            missing.append(GateRequirement.DISCHARGE_SUMMARY)
        return tuple(missing)


@dataclass(frozen=True)
class Arm:
    """A clock to arm: fires at ``fire_at``; ``due_at`` is the deadline it watches."""

    kind: ClockKind
    practice_id: str
    fire_at: datetime
    due_at: datetime


def ack_clock(track: Track, since: datetime, practice: BusinessCalendar, p: ClockPolicy) -> Arm:
    """Acknowledgement deadline from ``since`` (submission or redirect), in practice time."""
    rule = AcknowledgementRule(p.ack_business_days, p.urgent_ack_open_hours)
    due = rule.due(practice, since, track.urgent)
    return Arm(ClockKind.ACK_DUE, track.practice_id, due, due)


def urgent_ack_alert(
    track: Track, since: datetime, practice: BusinessCalendar, p: ClockPolicy
) -> list[Arm]:
    """An urgent referral's early alert: the practice's first open hours since ``since``."""
    if not track.urgent:
        return []
    at = practice.add_open_hours(since, p.urgent_ack_alert_open_hours)
    return [Arm(ClockKind.URGENT_ACK_ALERT, track.practice_id, at, at)]


def clocks_on_submission(
    track: Track, practice: BusinessCalendar, site: BusinessCalendar, p: ClockPolicy
) -> list[Arm]:
    arms = [ack_clock(track, track.submitted_at, practice, p)]
    arms += urgent_ack_alert(track, track.submitted_at, practice, p)
    opens_days = p.urgent_followup_opens_days if track.urgent else p.followup_opens_days
    due_days = p.urgent_followup_due_days if track.urgent else p.followup_due_days
    # The coordinator works the site's business days: a window opening on a Sunday opens Monday.
    opens = site.next_business_instant(track.submitted_at + timedelta(days=opens_days))
    due = site.next_business_instant(track.submitted_at + timedelta(days=due_days))
    arms.append(Arm(ClockKind.FOLLOWUP_WINDOW, track.practice_id, opens, due))
    arms.append(Arm(ClockKind.FOLLOWUP_DEADLINE, track.practice_id, due, due))
    return arms + gate_clocks(track, track.submitted_at, p)


def gate_clocks(track: Track, since: datetime, p: ClockPolicy) -> list[Arm]:
    """The gate's alert and deadline for the discharge the track knows now, armed at `since`
    (the submission, or the moment the hospital moved the discharge)."""
    gate = track.gate
    if gate is None or track.appointment_needed_by is None:
        return []
    lead = (
        p.hospital_alert_lead_hours
        if gate is GateKind.HOSPITAL_DISCHARGE
        else p.iop_alert_lead_hours
    )
    gate_at = track.appointment_needed_by
    # A gate closer than its lead time alerts at once: the patient is about to leave.
    alert_at = max(gate_at - timedelta(hours=lead), since)
    return [
        Arm(ClockKind.GATE_ALERT, track.practice_id, alert_at, gate_at),
        Arm(ClockKind.GATE_DEADLINE, track.practice_id, gate_at, gate_at),
    ]


@dataclass(frozen=True)
class Effects:
    """What a fired clock does. Nothing set: the condition was met in time (``note`` says how)."""

    note: str
    breach: SlaKind | None = None
    task: TaskKind | None = None
    task_due_at: datetime | None = None
    announce_follow_up: bool = False  # publish FollowUpDue for the task
    gate_missing: tuple[GateRequirement, ...] = ()
    urgent_unacknowledged: bool = False  # publish UrgentAcknowledgementOverdue

    @property
    def fired(self) -> bool:
        raised = bool(self.gate_missing) or self.urgent_unacknowledged
        return self.breach is not None or self.task is not None or raised


_GATE_TASK = {
    GateKind.HOSPITAL_DISCHARGE: TaskKind.DISCHARGE_GATE,
    GateKind.IOP_LAST_SESSION: TaskKind.IOP_GATE,
}
_GATE_BREACH = {
    GateKind.HOSPITAL_DISCHARGE: SlaKind.DISCHARGE_WITHOUT_APPOINTMENT,
    GateKind.IOP_LAST_SESSION: SlaKind.IOP_LAST_SESSION_WITHOUT_APPOINTMENT,
}


def on_fire(
    kind: ClockKind,
    clock_practice_id: str,
    due_at: datetime,
    track: Track,
    open_tasks: frozenset[TaskKind],
) -> Effects:
    if not track.active:
        return Effects(note=f"referral {track.status}")
    if kind in (ClockKind.ACK_DUE, ClockKind.URGENT_ACK_ALERT):
        if track.practice_id != clock_practice_id:
            return Effects(note="redirected to another practice")
        if track.status != "submitted":
            return Effects(note=f"answered in time ({track.status})")
        if kind is ClockKind.URGENT_ACK_ALERT:
            return Effects("urgent referral not acknowledged yet", urgent_unacknowledged=True)
        return Effects("acknowledgement overdue", SlaKind.ACK_OVERDUE, TaskKind.ACK_OVERDUE, due_at)
    if kind is ClockKind.FOLLOWUP_WINDOW:
        if track.has_appointment:
            return Effects(note="appointment exists")
        return Effects(
            "scheduling check due",
            task=TaskKind.SCHEDULING_CHECK,
            task_due_at=due_at,
            announce_follow_up=True,
        )
    if kind is ClockKind.FOLLOWUP_DEADLINE:
        if TaskKind.SCHEDULING_CHECK not in open_tasks:
            return Effects(note="no open scheduling check")
        return Effects("scheduling check overdue", SlaKind.FOLLOWUP_OVERDUE)
    gate = track.gate
    if track.appointment_needed_by != due_at:
        return Effects(note="the discharge moved: the gate was re-armed")
    missing = track.missing_before_gate()
    if gate is None or not missing:
        return Effects(note="ready before the gate")
    if kind is ClockKind.GATE_ALERT:
        return Effects(
            "gate at risk", task=_GATE_TASK[gate], task_due_at=due_at, gate_missing=missing
        )
    if GateRequirement.APPOINTMENT not in missing and gate is GateKind.HOSPITAL_DISCHARGE:
        return Effects(note="appointment confirmed")
    return Effects("gate passed unmet", _GATE_BREACH[gate])


def reengagement_due(
    happened_at: datetime, urgent: bool, site: BusinessCalendar, p: ClockPolicy
) -> datetime:
    """A no-show or decline: the coordinator re-engages within a few of the site's business days."""
    days = p.urgent_reengage_business_days if urgent else p.reengage_business_days
    return site.add_business_days(happened_at, days)


# Events that complete what the gate waits for (besides the appointment itself).
GATE_FACTS = frozenset({"DischargeSummaryDelivered", "OutpatientAppointmentConfirmed"})
_GATE_TASKS = frozenset({TaskKind.DISCHARGE_GATE, TaskKind.IOP_GATE})


def tasks_settled_by(event_type: str, track: Track) -> frozenset[TaskKind]:
    """Open tasks an event makes moot (they are resolved, not completed: nobody followed up)."""
    if event_type in {"IntakeAcknowledged", "ReferralRedirected", "ReferralDeclined"}:
        return frozenset({TaskKind.ACK_OVERDUE})
    if event_type == "AppointmentScheduled":
        settled = {TaskKind.ACK_OVERDUE, TaskKind.SCHEDULING_CHECK}
        if not track.missing_before_gate():
            settled |= _GATE_TASKS
        return frozenset(settled)
    if event_type in GATE_FACTS and not track.missing_before_gate():
        return _GATE_TASKS
    if event_type == "PlannedDischargeMoved":
        # The old gate's task is moot; the re-armed clocks raise a new one if still needed.
        return _GATE_TASKS
    if event_type == "ReferralCancelled":
        return frozenset(TaskKind)
    if event_type == "ReferralClosed":
        # A closed loop still leaves the coordinator's next-visit check to confirm.
        return frozenset(TaskKind) - {TaskKind.NEXT_VISIT_CHECK}
    return frozenset()
