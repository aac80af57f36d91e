"""HTTP bodies of the referral API. Patient details are PHI: they never reach logs or events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator

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
    Modality,
    Setting,
    Urgency,
)
from contracts.fields import LanguageTag, OrgId, PatientRef, ServiceId, StaffId
from services.referral.domain.thread import MAX_MESSAGE_CHARS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientIn(Strict):
    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = None
    phone: str | None = Field(None, pattern=r"^[0-9+()\- .]{7,20}$")
    email: EmailStr | None = None
    preferred_contact_times: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    voicemail_safe: bool | None = Field(
        None, description="She said a voicemail may be left at this number (none: not asked)."
    )
    text_safe: bool | None = Field(
        None, description="She said a text may be sent to this number (none: not asked)."
    )
    weeks_pregnant: int | None = Field(None, ge=0, le=45, description="Weeks pregnant, if she is.")
    weeks_postpartum: int | None = Field(
        None,
        ge=0,
        le=104,
        description="Weeks since the birth, if she has given birth: the infant's age.",
    )
    message_channel: Literal["sms", "email"] | None = Field(
        None, description="How she wants the network's messages (none: the network's channel)."
    )
    message_from_hour: int | None = Field(
        None, ge=0, le=23, description="She may be messaged from this hour (practice time)."
    )
    message_until_hour: int | None = Field(
        None, ge=1, le=24, description="... until this hour; both or neither."
    )
    phone_unsafe: bool | None = Field(
        None, description="Not safe to contact at this number: no text, call or voicemail."
    )

    @model_validator(mode="after")
    def _reachable(self) -> PatientIn:
        if not self.phone and not self.email:
            raise ValueError("a phone number or an email address is needed to reach her")
        return self


class ConsentIn(Strict):
    given: bool = Field(description="The patient agreed to this referral.")
    part2: bool = Field(False, description="Includes 42 CFR Part 2 substance-use records.")
    part2_redisclosure: bool = Field(
        False, description="Her written consent to redisclose Part 2 data to this practice."
    )


class MatchCriteria(Strict):
    """The criteria the site matched with, kept to offer next matches after a decline."""

    coverage: Literal["plan", "medicaid", "uninsured"]
    plan: str | None = Field(None, max_length=100)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=500)
    telehealth_state: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    language: str | None = Field(None, max_length=16)
    population: Literal["pregnant", "postpartum", "partners"] | None = None


class ReferralIn(Strict):
    screening_id: UUID | None = Field(None, description="The positive screen it answers.")
    practice_id: OrgId
    service_id: ServiceId
    patient_ref: PatientRef
    setting: Setting
    method: HandoffMethod
    urgency: Urgency = Urgency.ROUTINE
    referrer_id: StaffId = Field(description="The clinician who made the referral.")
    acting_for: StaffId | None = Field(None, description="Set when staff act for a clinician.")
    patient: PatientIn
    consent: ConsentIn
    infant_visit_ref: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    planned_discharge_at: AwareDatetime | None = None
    last_iop_session_on: date | None = None
    # Deprecated: the summary travels as a document (PUT .../discharge-summary); a reference
    # given here still counts as sent, under the follow-up gate's old rule.
    discharge_summary_ref: str | None = Field(
        None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", deprecated=True
    )
    match_criteria: MatchCriteria | None = None
    barriers: list[AccessBarrier] = Field(
        default_factory=list,
        max_length=len(AccessBarrier),
        description="What may keep her from the first appointment, asked before she leaves.",
    )
    language: LanguageTag = Field(
        "en", description="The language she reads: what she is told and sent is written in it."
    )


class AcknowledgeIn(Strict):
    pass


class ContactIn(Strict):
    channel: ContactChannel
    outcome: ContactOutcome


class ScheduleIn(Strict):
    appointment_at: AwareDatetime
    modality: Modality
    location: str | None = Field(None, max_length=300, description="Office address (in person).")
    telehealth_instructions: str | None = Field(None, max_length=1000)
    clinician: StaffId | None = Field(
        None, description="Who she will see: the practice's clinician, by staff id (never a name)."
    )
    clinician_name: str | None = Field(
        None,
        max_length=120,
        description="The clinician's name as she will be told it in her appointment message "
        "(sealed with where and how to join).",
    )


class CancelAppointmentIn(Strict):
    cancelled_by: AppointmentParty
    reason: AppointmentCancelReason


class DeclineIn(Strict):
    reason: DeclineReason


class CancelIn(Strict):
    reason: CancelReason


class CloseIn(Strict):
    outcome: ClosureOutcome


class RedirectConsentIn(Strict):
    part2_redisclosure: bool = Field(
        False,
        description="Her written consent to redisclose Part 2 data to the practice redirected to.",
    )


class RedirectIn(Strict):
    practice_id: OrgId
    service_id: ServiceId
    consent: RedirectConsentIn = Field(default_factory=RedirectConsentIn)


class TimelineOut(BaseModel):
    at: datetime
    status: str
    action: str
    actor: str
    organization_id: str
    practice_id: str | None
    reason: str | None


class AccessEntryOut(BaseModel):
    """One read or change of the referral's records: who, in what role, did what, when."""

    at: datetime
    source: Literal["audit", "timeline"] = Field(
        description="audit: a read or write of a record; timeline: a change of the referral."
    )
    actor: str = Field(description="person:<uuid> for a person, else the machine client.")
    organization_id: str
    role: str | None = Field(description="The access role: clinic, practice or admin.")
    person_role: str | None = Field(description="A person's role; null for a machine client.")
    acting_client: str | None = Field(description="The client that acted for the person.")
    action: Literal["read", "write"]
    record_type: str
    record_id: str
    change: str | None = Field(description="The timeline's action (acknowledge, redirect, ...).")


class AccessLogOut(BaseModel):
    referral_id: UUID
    screening_id: UUID | None
    items: list[AccessEntryOut]
    next: str | None = Field(description="The next (older) page; null on the last one.")


class MessageIn(Strict):
    """A message of the referral's thread (HL7 360X's interim communications)."""

    text: str = Field(
        description=f"Free text about the patient (sealed at rest), 1 to {MAX_MESSAGE_CHARS} "
        "characters once leading and trailing spaces are dropped."
    )
