"""One valid, PHI-free sample payload per registered event, shared by the contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from contracts import (
    AppointmentAttended,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentScheduled,
    CapacityNearingStale,
    CapacityUpdated,
    DischargeSummaryDelivered,
    EventPayload,
    FollowUpCompleted,
    FollowUpDue,
    GateAlertRaised,
    IntakeAcknowledged,
    OutpatientAppointmentConfirmed,
    PatientContacted,
    PlannedDischargeMoved,
    PositiveScreenClosed,
    PositiveScreenEscalated,
    PracticeRegistered,
    PracticeService,
    PracticeUpdated,
    RedirectHeld,
    ReferralCancelled,
    ReferralClosed,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
    SafetyAssessmentRecorded,
    ScreenPositive,
    SlaBreached,
    UrgentAcknowledgementOverdue,
)

NOW = datetime(2025, 3, 4, 15, 30, tzinfo=UTC)
REFERRAL_ID = UUID("0195a1b2-0000-7000-8000-000000000001")
APPOINTMENT_ID = UUID("0195a1b2-0000-7000-8000-000000000002")
FOLLOW_UP_ID = UUID("0195a1b2-0000-7000-8000-000000000003")
SCREENING_ID = UUID("0195a1b2-0000-7000-8000-000000000004")
REFERRAL = {"referral_id": REFERRAL_ID, "site_id": "site-ob-1", "practice_id": "prac-7"}
SCREEN = {"screening_id": SCREENING_ID, "site_id": "site-ob-1"}
APPOINTMENT = {"appointment_id": APPOINTMENT_ID, "appointment_at": NOW + timedelta(days=5)}


def _profile() -> dict[str, object]:
    service = PracticeService(
        service_id="svc-therapy",
        level_of_care="outpatient_therapy",
        modalities=("in_person", "telehealth"),
        telehealth_states=("IL", "WI"),
        languages=("en", "es"),
        serves_pregnant=True,
        postpartum_months=12,
        infant_welcome=True,
    )
    return {
        "practice_id": "prac-7",
        "kind": "private_practice",
        "time_zone": "America/Chicago",
        "accepting_referrals": True,
        "pmh_c_certified": True,
        "funding": ("medicaid", "sliding_scale"),
        "services": (service,),
        "updated_at": NOW,
    }


def build_samples() -> list[EventPayload]:
    """A sample of every event; test_contracts_events checks none is missing."""
    return [
        ScreenPositive(
            screening_id=SCREENING_ID,
            site_id="site-ob-1",
            patient_ref="p-4f2a",
            instrument="EPDS",
            total=14,
            band="probable_depression",
            urgent=True,
            setting="ob",
            screened_at=NOW,
        ),
        PracticeRegistered(**_profile()),
        PracticeUpdated(**_profile()),
        CapacityUpdated(
            practice_id="prac-7",
            service_id="svc-therapy",
            available=2,
            maximum=6,
            next_available_intake=date(2025, 3, 6),
            accepting_new_patients=True,
            verified_at=NOW,
            stale=False,
        ),
        ReferralSubmitted(
            **REFERRAL,
            service_id="svc-therapy",
            screening_id=SCREENING_ID,
            patient_ref="p-4f2a",
            setting="hospital",
            method="in_room_call",
            urgency="urgent",
            level_of_care="outpatient_therapy",
            modality="telehealth",
            referrer_id="user-31",
            dyad=False,
            submitted_at=NOW,
            acknowledge_by=NOW + timedelta(days=1),
            appointment_needed_by=NOW + timedelta(hours=20),
        ),
        IntakeAcknowledged(**REFERRAL, acknowledged_at=NOW),
        ReferralDeclined(**REFERRAL, reason="no_capacity", declined_at=NOW),
        ReferralRedirected(
            **REFERRAL,
            previous_practice_id="prac-3",
            service_id="svc-therapy",
            reason="declined",
            decline_reason="no_capacity",
            redirected_at=NOW,
            acknowledge_by=NOW + timedelta(days=1),
            automatic=True,
        ),
        RedirectHeld(
            **REFERRAL, reason="declined", hold="redisclosure_consent_needed", held_at=NOW
        ),
        PatientContacted(
            **REFERRAL, attempt=1, channel="phone", outcome="reached", contacted_at=NOW
        ),
        AppointmentScheduled(
            **REFERRAL,
            **APPOINTMENT,
            modality="telehealth",
            level_of_care="outpatient_therapy",
            scheduled_at=NOW,
        ),
        AppointmentAttended(**REFERRAL, **APPOINTMENT),
        AppointmentMissed(**REFERRAL, **APPOINTMENT),
        AppointmentCancelled(
            **REFERRAL, **APPOINTMENT, cancelled_by="patient", reason="rescheduled"
        ),
        ReferralCancelled(**REFERRAL, reason="referred_elsewhere", cancelled_at=NOW),
        ReferralClosed(**REFERRAL, outcome="in_care", closed_at=NOW),
        DischargeSummaryDelivered(**REFERRAL, delivered_at=NOW),
        OutpatientAppointmentConfirmed(**REFERRAL, confirmed_at=NOW),
        PlannedDischargeMoved(
            **REFERRAL,
            appointment_needed_by=NOW + timedelta(days=2),
            previous_needed_by=NOW + timedelta(days=1),
            moved_at=NOW,
        ),
        FollowUpDue(
            **REFERRAL,
            follow_up_id=FOLLOW_UP_ID,
            kind="scheduling_check",
            window_opens_at=NOW + timedelta(days=7),
            due_at=NOW + timedelta(days=10),
            urgent=False,
        ),
        FollowUpCompleted(
            **REFERRAL,
            follow_up_id=FOLLOW_UP_ID,
            kind="scheduling_check",
            outcome="not_scheduled",
            barrier="childcare",
            re_engaged=True,
            completed_at=NOW,
        ),
        SlaBreached(**REFERRAL, kind="ack_overdue", due_at=NOW, detected_at=NOW, urgent=True),
        GateAlertRaised(
            **REFERRAL,
            gate="hospital_discharge",
            gate_at=NOW + timedelta(hours=4),
            missing=("appointment",),
            raised_at=NOW,
            urgent=False,
        ),
        CapacityNearingStale(
            practice_id="lakeside",
            service_id="lakeside-therapy",
            verified_at=NOW,
            stale_at=NOW + timedelta(days=7),
        ),
        UrgentAcknowledgementOverdue(
            **REFERRAL, alert_at=NOW + timedelta(hours=2), detected_at=NOW + timedelta(hours=2)
        ),
        SafetyAssessmentRecorded(**SCREEN, outcome="no_current_risk", urgent=True, assessed_at=NOW),
        PositiveScreenClosed(
            **SCREEN,
            reason="already_in_care",
            urgent=True,
            safety_assessment="no_current_risk",
            closed_at=NOW,
        ),
        PositiveScreenEscalated(
            **SCREEN,
            level="site_coordinator",
            task_id=FOLLOW_UP_ID,
            urgent=True,
            safety_assessed=False,
            due_at=NOW,
            escalated_at=NOW,
        ),
    ]


@pytest.fixture(scope="session")
def samples() -> dict[tuple[str, int], EventPayload]:
    return {(sample.TYPE, sample.VERSION): sample for sample in build_samples()}
