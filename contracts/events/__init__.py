"""Every integration event payload, by producing service."""

from __future__ import annotations

from contracts.base import EventPayload
from contracts.events.directory import (
    CapacityUpdated,
    PracticeRegistered,
    PracticeService,
    PracticeUpdated,
)
from contracts.events.followup import (
    FollowUpCompleted,
    FollowUpDue,
    GateAlertRaised,
    SlaBreached,
    UrgentAcknowledgementOverdue,
)
from contracts.events.referral import (
    AppointmentAttended,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentScheduled,
    DischargeSummaryDelivered,
    IntakeAcknowledged,
    OutpatientAppointmentConfirmed,
    PatientContacted,
    PlannedDischargeMoved,
    RedirectHeld,
    ReferralCancelled,
    ReferralClosed,
    ReferralDeclined,
    ReferralRedirected,
    ReferralSubmitted,
)
from contracts.events.screening import ScreenPositive
from contracts.events.worklist import (
    PositiveScreenClosed,
    PositiveScreenEscalated,
    SafetyAssessmentRecorded,
)

ALL_EVENTS: tuple[type[EventPayload], ...] = (
    ScreenPositive,
    PracticeRegistered,
    PracticeUpdated,
    CapacityUpdated,
    ReferralSubmitted,
    IntakeAcknowledged,
    ReferralDeclined,
    ReferralRedirected,
    RedirectHeld,
    PatientContacted,
    AppointmentScheduled,
    AppointmentAttended,
    AppointmentMissed,
    AppointmentCancelled,
    ReferralCancelled,
    ReferralClosed,
    DischargeSummaryDelivered,
    OutpatientAppointmentConfirmed,
    PlannedDischargeMoved,
    FollowUpDue,
    FollowUpCompleted,
    SlaBreached,
    GateAlertRaised,
    UrgentAcknowledgementOverdue,
    SafetyAssessmentRecorded,
    PositiveScreenClosed,
    PositiveScreenEscalated,
)

__all__ = [
    "ALL_EVENTS",
    "AppointmentAttended",
    "AppointmentCancelled",
    "AppointmentMissed",
    "AppointmentScheduled",
    "CapacityUpdated",
    "DischargeSummaryDelivered",
    "FollowUpCompleted",
    "FollowUpDue",
    "GateAlertRaised",
    "IntakeAcknowledged",
    "OutpatientAppointmentConfirmed",
    "PatientContacted",
    "PlannedDischargeMoved",
    "PositiveScreenClosed",
    "PositiveScreenEscalated",
    "PracticeRegistered",
    "PracticeService",
    "PracticeUpdated",
    "RedirectHeld",
    "ReferralCancelled",
    "ReferralClosed",
    "ReferralDeclined",
    "ReferralRedirected",
    "ReferralSubmitted",
    "SafetyAssessmentRecorded",
    "ScreenPositive",
    "SlaBreached",
    "UrgentAcknowledgementOverdue",
]
