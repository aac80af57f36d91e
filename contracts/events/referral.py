"""Events produced by the referral service: one event type per lifecycle transition.

``STATUS`` names the state a referral is in after the event (None: the state does not change);
``contracts.lifecycle.FHIR_STATUS`` maps it to FHIR Task.status and the BSeR business status.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.base import EventPayload
from contracts.codes import (
    AccessBarrier,
    AppointmentCancelReason,
    AppointmentParty,
    CancelReason,
    ClosureOutcome,
    ContactChannel,
    ContactOutcome,
    DeclineReason,
    HandoffMethod,
    LevelOfCare,
    Modality,
    RedirectHold,
    RedirectReason,
    Setting,
    Urgency,
    UrgencyReason,
)
from contracts.fields import OrgId, PatientRef, ServiceId, StaffId
from contracts.lifecycle import ReferralStatus
from contracts.topics import REFERRAL


class ReferralEvent(EventPayload):
    """Fields every referral event carries: the referral, its referring site, its practice."""

    TOPIC = REFERRAL
    SUBJECT_FIELD = "referral_id"
    STATUS: ClassVar[ReferralStatus | None]

    referral_id: UUID
    site_id: OrgId = Field(description="Referring organization.")
    practice_id: OrgId = Field(description="Receiving practice that currently owns the referral.")


class ReferralSubmitted(ReferralEvent):
    """A warm handoff was made: who made it, when, to whom and how."""

    TYPE = "ReferralSubmitted"
    VERSION = 1
    STATUS = ReferralStatus.SUBMITTED

    service_id: ServiceId
    screening_id: UUID | None = Field(description="The positive screen, if the referral has one.")
    patient_ref: PatientRef
    setting: Setting
    method: HandoffMethod
    urgency: Urgency
    urgency_reason: UrgencyReason | None = Field(
        default=None,
        description="Why it is urgent (none when routine): the screen's positive safety item, "
        "which the server enforces, or the site's own request.",
    )
    level_of_care: LevelOfCare
    modality: Modality | None = Field(description="Patient's preference, if any.")
    referrer_id: StaffId
    dyad: bool = Field(description="Made at the infant's well-child visit, as part of infant care.")
    submitted_at: AwareDatetime
    acknowledge_by: AwareDatetime = Field(description="One business day, practice's time zone.")
    appointment_needed_by: AwareDatetime | None = Field(
        description="Hospital discharge or last IOP/PHP session: the appointment must precede it."
    )
    discharge_summary_sent: bool = Field(
        default=False,
        description="IOP/PHP: a summary reference went with the referral (legacy; the summary "
        "now travels as a document, announced by DischargeSummaryDelivered).",
    )
    barriers: list[AccessBarrier] = Field(
        default_factory=list,
        description="Barriers to the first appointment she named before leaving, as codes "
        "(an optional field added to v1: producers before it sent none).",
    )


class IntakeAcknowledged(ReferralEvent):
    """The receiving practice accepted the referral for intake."""

    TYPE = "IntakeAcknowledged"
    VERSION = 1
    STATUS = ReferralStatus.ACKNOWLEDGED

    acknowledged_at: AwareDatetime


class ReferralDeclined(ReferralEvent):
    """The receiving practice declined; the coded reason drives re-routing."""

    TYPE = "ReferralDeclined"
    VERSION = 1
    STATUS = ReferralStatus.DECLINED

    reason: DeclineReason
    declined_at: AwareDatetime


class ReferralRedirected(ReferralEvent):
    """The referral was routed on to another practice, which now owns it (a new request)."""

    TYPE = "ReferralRedirected"
    VERSION = 1
    STATUS = ReferralStatus.SUBMITTED

    previous_practice_id: OrgId
    service_id: ServiceId
    reason: RedirectReason
    decline_reason: DeclineReason | None = Field(description="Set when reason is 'declined'.")
    redirected_at: AwareDatetime
    acknowledge_by: AwareDatetime
    automatic: bool = Field(
        default=False,
        description="The network moved it by itself (REFERRAL_REDIRECT_POLICY), not the site.",
    )


class RedirectHeld(ReferralEvent):
    """A redirect was due (decline, missed acknowledgement, too-late first appointment) but the
    network could not make it by itself: the referring site has a task instead."""

    TYPE = "RedirectHeld"
    VERSION = 1
    STATUS = None

    reason: RedirectReason = Field(description="Why the referral was due to move.")
    hold: RedirectHold
    held_at: AwareDatetime


class PatientContacted(ReferralEvent):
    """The practice tried to reach the patient (one event per attempt)."""

    TYPE = "PatientContacted"
    VERSION = 1
    STATUS = None

    attempt: int = Field(ge=1)
    channel: ContactChannel
    outcome: ContactOutcome
    contacted_at: AwareDatetime


class AppointmentScheduled(ReferralEvent):
    """A first (or re-booked) appointment was scheduled."""

    TYPE = "AppointmentScheduled"
    VERSION = 1
    STATUS = ReferralStatus.SCHEDULED

    appointment_id: UUID
    appointment_at: AwareDatetime
    modality: Modality
    level_of_care: LevelOfCare
    scheduled_at: AwareDatetime


class AppointmentAttended(ReferralEvent):
    """The patient attended the appointment."""

    TYPE = "AppointmentAttended"
    VERSION = 1
    STATUS = ReferralStatus.ATTENDED

    appointment_id: UUID
    appointment_at: AwareDatetime


class AppointmentMissed(ReferralEvent):
    """The patient did not attend the appointment (no-show)."""

    TYPE = "AppointmentMissed"
    VERSION = 1
    STATUS = ReferralStatus.NO_SHOW

    appointment_id: UUID
    appointment_at: AwareDatetime


class AppointmentCancelled(ReferralEvent):
    """The appointment was cancelled; the referral stays open for re-booking."""

    TYPE = "AppointmentCancelled"
    VERSION = 1
    STATUS = ReferralStatus.APPOINTMENT_CANCELLED

    appointment_id: UUID
    appointment_at: AwareDatetime
    cancelled_by: AppointmentParty
    reason: AppointmentCancelReason


class ReferralCancelled(ReferralEvent):
    """The referring site withdrew its referral (only the referrer may)."""

    TYPE = "ReferralCancelled"
    VERSION = 1
    STATUS = ReferralStatus.CANCELLED

    reason: CancelReason
    cancelled_at: AwareDatetime


class ReferralClosed(ReferralEvent):
    """The loop is closed, with a coded outcome."""

    TYPE = "ReferralClosed"
    VERSION = 1
    STATUS = ReferralStatus.CLOSED

    outcome: ClosureOutcome
    closed_at: AwareDatetime


class DischargeSummaryDelivered(ReferralEvent):
    """IOP/PHP: the discharge summary (a document, sealed in the referral service) is readable
    by the receiving practice. Ids and times only; the document never leaves the service."""

    TYPE = "DischargeSummaryDelivered"
    VERSION = 1
    STATUS = None

    delivered_at: AwareDatetime


class OutpatientAppointmentConfirmed(ReferralEvent):
    """IOP/PHP: the IOP team recorded that the outpatient provider confirmed she has the
    patient's appointment; the follow-up gate counts the appointment only with this."""

    TYPE = "OutpatientAppointmentConfirmed"
    VERSION = 1
    STATUS = None

    confirmed_at: AwareDatetime


class PlannedDischargeMoved(ReferralEvent):
    """The hospital discharge (or last IOP/PHP session) moved: the appointment must now precede
    the new time, and the follow-up gate follows it."""

    TYPE = "PlannedDischargeMoved"
    VERSION = 1
    STATUS = None

    appointment_needed_by: AwareDatetime = Field(
        description="The new discharge or last IOP/PHP session."
    )
    previous_needed_by: AwareDatetime | None = Field(description="What it was before the move.")
    moved_at: AwareDatetime
