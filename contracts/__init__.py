"""Warmlink's versioned integration events: payloads, envelope, registry and topic table.

Producers ``wrap`` a payload and ``encode`` the envelope; consumers ``decode`` the record value
and get the typed payload with ``payload_of``. See README.md for the topic table and the rules
for evolving an event.
"""

from __future__ import annotations

from contracts.base import EventPayload
from contracts.envelope import (
    Envelope,
    UndecodableEvent,
    decode,
    encode,
    new_event_id,
    payload_of,
    wrap,
)
from contracts.events import (
    AppointmentAttended,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentScheduled,
    CapacityUpdated,
    DischargeSummaryDelivered,
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
)

__all__ = [
    "AppointmentAttended",
    "AppointmentCancelled",
    "AppointmentMissed",
    "AppointmentScheduled",
    "CapacityUpdated",
    "DischargeSummaryDelivered",
    "Envelope",
    "EventPayload",
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
    "UndecodableEvent",
    "decode",
    "encode",
    "new_event_id",
    "payload_of",
    "wrap",
]
