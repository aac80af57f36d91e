"""A referral as the referral service keeps it. PHI lives apart, sealed (see PatientDetails)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from contracts.lifecycle import ReferralStatus


@dataclass(frozen=True)
class PatientDetails:
    """PHI: sealed at rest, opened only for the referring site and the receiving practice."""

    given_name: str
    family_name: str
    birth_date: date | None
    phone: str | None
    email: str | None
    preferred_contact_times: str | None
    notes: str | None
    # Asked before she leaves: may the practice leave a voicemail, send a text? None: not asked.
    # Sealed with her number, since a wrong one can put her at risk at home.
    voicemail_safe: bool | None = None
    text_safe: bool | None = None
    # Where she is in the perinatal period (the infant's age, postpartum): sealed with the rest.
    weeks_pregnant: int | None = None
    weeks_postpartum: int | None = None
    # Her choices for the network's messages (domain/patient_choices.py): `sms` or `email`
    # (None: the network's channel), the hours she may be messaged (practice time, from-until),
    # and that this number is not safe to contact at all (no text, no call, no voicemail).
    message_channel: str | None = None
    message_from_hour: int | None = None
    message_until_hour: int | None = None
    phone_unsafe: bool | None = None


@dataclass(frozen=True)
class AppointmentLogistics:
    """Where and how to join an appointment: the practice's free text, so sealed at rest like
    PHI (a telehealth link is a key to the visit) and never in an event."""

    location: str | None = None
    telehealth_instructions: str | None = None
    clinician_name: str | None = None  # whom she will see, as she is told it in her messages


@dataclass(frozen=True)
class Referral:
    id: UUID
    site_id: str  # referring organization
    practice_id: str  # receiving practice that owns it now
    service_id: str
    practice_name: str
    screening_id: UUID | None
    patient_ref: str
    setting: str  # hospital, ob, pediatric, iop_php
    method: str  # digital, in_room_call, coordinator
    urgency: str  # routine, urgent
    level_of_care: str
    referrer_id: str  # clinician (or staff acting for one): a user id, never a name
    acting_for: str | None
    consent_given: bool
    part2: bool  # 42 CFR Part 2 data involved: redisclosure needs matching consent
    status: ReferralStatus
    submitted_at: datetime
    acknowledge_by: datetime
    appointment_needed_by: datetime | None  # hospital discharge / last IOP session
    infant_visit_ref: str | None = None  # pediatric dyad link
    discharge_summary_ref: str | None = None  # IOP/PHP
    appointment_at: datetime | None = None
    appointment_modality: str | None = None
    urgency_reason: str | None = None  # why it is urgent (contracts.codes.UrgencyReason)
    barriers: tuple[str, ...] = ()  # contracts.codes.AccessBarrier she named, in code order
    updated_at: datetime | None = None
    language: str = "en"  # BCP 47: the language she reads; her panel and messages use it
    # How she and the site reach the practice's intake, kept from the directory at submission
    # (or redirect) so that every answer about the referral names them, not only the first.
    practice_phone: str | None = None
    practice_url: str | None = None
    history: tuple[TimelineEntry, ...] = field(default=())


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: ReferralStatus
    action: str
    actor: str
    organization_id: str
    reason: str | None = None
    practice_id: str | None = None
