"""Which clocks a referral arms, and what each does when it fires."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from contracts.codes import GateKind, GateRequirement, SlaKind, TaskKind
from services.followup.clocks.domain.rules import (
    ClockKind,
    ClockPolicy,
    Track,
    clocks_on_submission,
    gate_clocks,
    on_fire,
    reengagement_due,
    tasks_settled_by,
)
from warmlink.business_time import BusinessCalendar

CAL = BusinessCalendar("America/Chicago")
POLICY = ClockPolicy()
# Tue 24 Nov 2026 10:00 CST
SUBMITTED = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
TRACK = Track("r-1", "site", "prac", "ob", False, "submitted", SUBMITTED)
NONE: frozenset[TaskKind] = frozenset()


def arms(track: Track) -> dict[ClockKind, tuple[datetime, datetime]]:
    return {a.kind: (a.fire_at, a.due_at) for a in clocks_on_submission(track, CAL, CAL, POLICY)}


def test_a_routine_referral_arms_acknowledgement_and_follow_up_clocks() -> None:
    got = arms(TRACK)
    assert got[ClockKind.ACK_DUE] == (SUBMITTED + timedelta(days=1),) * 2
    # Day 7 is Tue 1 Dec, day 10 Fri 4 Dec: both business days, same time.
    assert got[ClockKind.FOLLOWUP_WINDOW] == (
        SUBMITTED + timedelta(days=7),
        SUBMITTED + timedelta(days=10),
    )
    assert got[ClockKind.FOLLOWUP_DEADLINE] == (SUBMITTED + timedelta(days=10),) * 2
    assert ClockKind.GATE_ALERT not in got


def test_follow_up_falling_on_a_weekend_moves_to_the_next_business_morning() -> None:
    thursday = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    got = arms(replace(TRACK, submitted_at=thursday))
    # Day 10 is Sunday 29 Nov: due Monday 30 Nov 09:00 CST = 15:00 UTC.
    assert got[ClockKind.FOLLOWUP_DEADLINE][1] == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_urgent_referrals_run_on_shorter_clocks() -> None:
    got = arms(replace(TRACK, urgent=True))
    assert got[ClockKind.ACK_DUE][1] == SUBMITTED + timedelta(hours=4)
    assert got[ClockKind.FOLLOWUP_WINDOW][0] == SUBMITTED + timedelta(days=2)
    assert got[ClockKind.FOLLOWUP_DEADLINE][1] == SUBMITTED + timedelta(days=3)


def test_an_urgent_referral_not_acknowledged_in_two_business_hours_alerts_early_once() -> None:
    got = arms(replace(TRACK, urgent=True))
    assert got[ClockKind.URGENT_ACK_ALERT] == (SUBMITTED + timedelta(hours=2),) * 2
    assert ClockKind.URGENT_ACK_ALERT not in arms(TRACK), "routine referrals have no early alert"
    # Tue 16:30 CST: half an hour left today, the rest from 09:00 Wednesday.
    late = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)
    got = arms(replace(TRACK, urgent=True, submitted_at=late))
    assert got[ClockKind.URGENT_ACK_ALERT][0] == datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
    urgent = replace(TRACK, urgent=True)
    due = SUBMITTED + timedelta(hours=2)
    fired = on_fire(ClockKind.URGENT_ACK_ALERT, "prac", due, urgent, NONE)
    assert fired.urgent_unacknowledged and fired.breach is None and fired.task is None
    acknowledged = replace(urgent, status="acknowledged")
    quiet = on_fire(ClockKind.URGENT_ACK_ALERT, "prac", due, acknowledged, NONE)
    assert not quiet.fired and quiet.note == "answered in time (acknowledged)"
    moved = on_fire(ClockKind.URGENT_ACK_ALERT, "other", due, urgent, NONE)
    assert not moved.fired, "redirected: the new practice's own clock alerts"


def test_hospital_gate_alerts_before_discharge() -> None:
    discharge = SUBMITTED + timedelta(hours=30)
    got = arms(replace(TRACK, setting="hospital", appointment_needed_by=discharge))
    assert got[ClockKind.GATE_ALERT] == (discharge - timedelta(hours=4), discharge)
    assert got[ClockKind.GATE_DEADLINE] == (discharge, discharge)


def test_a_gate_nearer_than_its_lead_alerts_at_once() -> None:
    discharge = SUBMITTED + timedelta(hours=1)
    got = arms(replace(TRACK, setting="hospital", appointment_needed_by=discharge))
    assert got[ClockKind.GATE_ALERT][0] == SUBMITTED


def test_iop_gate_uses_its_own_lead() -> None:
    last_session = SUBMITTED + timedelta(days=5)
    got = arms(replace(TRACK, setting="iop_php", appointment_needed_by=last_session))
    assert got[ClockKind.GATE_ALERT][0] == last_session - timedelta(hours=48)


def test_ack_clock_breaches_only_while_the_practice_has_not_answered() -> None:
    due = SUBMITTED + timedelta(days=1)
    fired = on_fire(ClockKind.ACK_DUE, "prac", due, TRACK, NONE)
    assert (fired.breach, fired.task) == (SlaKind.ACK_OVERDUE, TaskKind.ACK_OVERDUE)
    acknowledged = replace(TRACK, status="acknowledged")
    assert not on_fire(ClockKind.ACK_DUE, "prac", due, acknowledged, NONE).fired
    redirected = replace(TRACK, practice_id="other")
    assert not on_fire(ClockKind.ACK_DUE, "prac", due, redirected, NONE).fired
    cancelled = replace(TRACK, status="cancelled")
    assert not on_fire(ClockKind.ACK_DUE, "prac", due, cancelled, NONE).fired


def test_scheduling_check_opens_a_task_unless_an_appointment_exists() -> None:
    due = SUBMITTED + timedelta(days=10)
    fired = on_fire(ClockKind.FOLLOWUP_WINDOW, "prac", due, TRACK, NONE)
    assert fired.task is TaskKind.SCHEDULING_CHECK and fired.announce_follow_up
    assert fired.task_due_at == due
    scheduled = replace(TRACK, status="scheduled")
    assert not on_fire(ClockKind.FOLLOWUP_WINDOW, "prac", due, scheduled, NONE).fired
    # A no-show is not an appointment: the check still opens.
    no_show = replace(TRACK, status="no_show")
    assert on_fire(ClockKind.FOLLOWUP_WINDOW, "prac", due, no_show, NONE).fired


def test_follow_up_deadline_breaches_only_with_the_check_still_open() -> None:
    due = SUBMITTED + timedelta(days=10)
    open_check = frozenset({TaskKind.SCHEDULING_CHECK})
    fired = on_fire(ClockKind.FOLLOWUP_DEADLINE, "prac", due, TRACK, open_check)
    assert fired.breach is SlaKind.FOLLOWUP_OVERDUE
    assert not on_fire(ClockKind.FOLLOWUP_DEADLINE, "prac", due, TRACK, NONE).fired


def test_iop_gate_names_everything_missing() -> None:
    gate_at = SUBMITTED + timedelta(days=5)
    iop = replace(TRACK, setting="iop_php", appointment_needed_by=gate_at)
    fired = on_fire(ClockKind.GATE_ALERT, "prac", gate_at, iop, NONE)
    assert fired.gate_missing == (GateRequirement.APPOINTMENT, GateRequirement.DISCHARGE_SUMMARY)
    assert fired.task is TaskKind.IOP_GATE
    ready = replace(iop, status="scheduled", discharge_summary_sent=True)
    assert not on_fire(ClockKind.GATE_ALERT, "prac", gate_at, ready, NONE).fired
    summary_only = replace(iop, status="scheduled")
    assert on_fire(ClockKind.GATE_ALERT, "prac", gate_at, summary_only, NONE).gate_missing == (
        GateRequirement.DISCHARGE_SUMMARY,
    )
    assert iop.gate is GateKind.IOP_LAST_SESSION


def test_hospital_gate_breaches_when_discharge_passes_without_appointment() -> None:
    discharge = SUBMITTED + timedelta(hours=30)
    hospital = replace(TRACK, setting="hospital", appointment_needed_by=discharge)
    fired = on_fire(ClockKind.GATE_DEADLINE, "prac", discharge, hospital, NONE)
    assert fired.breach is SlaKind.DISCHARGE_WITHOUT_APPOINTMENT
    booked = replace(hospital, status="scheduled")
    assert not on_fire(ClockKind.GATE_DEADLINE, "prac", discharge, booked, NONE).fired


def test_reengagement_is_due_in_site_business_days() -> None:
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Fri 10:00 CST
    assert reengagement_due(friday, False, CAL, POLICY) == datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    assert reengagement_due(friday, True, CAL, POLICY) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_events_settle_the_tasks_they_make_moot() -> None:
    assert tasks_settled_by("IntakeAcknowledged", TRACK) == {TaskKind.ACK_OVERDUE}
    iop = replace(TRACK, setting="iop_php", appointment_needed_by=SUBMITTED, status="scheduled")
    assert TaskKind.IOP_GATE not in tasks_settled_by("AppointmentScheduled", iop)
    ready = replace(iop, discharge_summary_sent=True)
    assert TaskKind.IOP_GATE in tasks_settled_by("AppointmentScheduled", ready)
    assert TaskKind.NEXT_VISIT_CHECK not in tasks_settled_by("ReferralClosed", TRACK)
    assert tasks_settled_by("ReferralCancelled", TRACK) == frozenset(TaskKind)
    assert tasks_settled_by("PatientContacted", TRACK) == frozenset()


def test_an_iop_appointment_counts_only_once_the_provider_confirmed_it() -> None:
    gate_at = SUBMITTED + timedelta(days=5)
    iop = replace(
        TRACK,
        setting="iop_php",
        appointment_needed_by=gate_at,
        status="scheduled",
        discharge_summary_sent=True,
        provider_confirmation_required=True,
    )
    fired = on_fire(ClockKind.GATE_ALERT, "prac", gate_at, iop, NONE)
    assert fired.gate_missing == (GateRequirement.APPOINTMENT,)
    confirmed = replace(iop, provider_confirmed=True)
    assert not on_fire(ClockKind.GATE_ALERT, "prac", gate_at, confirmed, NONE).fired
    assert TaskKind.IOP_GATE not in tasks_settled_by("DischargeSummaryDelivered", iop)
    assert TaskKind.IOP_GATE in tasks_settled_by("OutpatientAppointmentConfirmed", confirmed)
    # A legacy referral (summary reference up front) is not asked for the confirmation.
    legacy = replace(iop, provider_confirmation_required=False)
    assert not on_fire(ClockKind.GATE_ALERT, "prac", gate_at, legacy, NONE).fired


def test_a_moved_discharge_re_arms_the_gate_and_the_old_clocks_stay_quiet() -> None:
    old, new = SUBMITTED + timedelta(hours=30), SUBMITTED + timedelta(days=3)
    moved = replace(TRACK, setting="hospital", appointment_needed_by=new)
    assert not on_fire(ClockKind.GATE_DEADLINE, "prac", old, moved, NONE).fired
    moved_at = SUBMITTED + timedelta(hours=1)
    arms = {a.kind: a for a in gate_clocks(moved, moved_at, POLICY)}
    assert arms[ClockKind.GATE_DEADLINE].fire_at == new
    assert arms[ClockKind.GATE_ALERT].fire_at == new - timedelta(
        hours=POLICY.hospital_alert_lead_hours
    )
    assert on_fire(ClockKind.GATE_DEADLINE, "prac", new, moved, NONE).breach is not None
    assert TaskKind.DISCHARGE_GATE in tasks_settled_by("PlannedDischargeMoved", moved)
