"""The directory's listing model: HSDS 3.1 shapes plus what perinatal care needs. Pure data.

An Organization (HSDS organization) is a referring site, a receiving practice or the network
administration. A receiving practice offers Services (HSDS service), one per level of care, each
delivered at Locations (HSDS service_at_location) and/or by telehealth in licensed states (HSDS
service_area), with a Capacity (HSDS service_capacity) stamped by whoever last verified it.
Organization contact details here are the practice's, never a patient's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class OrgKind(StrEnum):
    HOSPITAL = "hospital"
    OB = "ob"
    PEDIATRIC = "pediatric"
    IOP_PHP = "iop_php"
    PRACTICE = "practice"
    NETWORK = "network"


REFERRING_KINDS = frozenset({OrgKind.HOSPITAL, OrgKind.OB, OrgKind.PEDIATRIC, OrgKind.IOP_PHP})


class PracticeType(StrEnum):
    """What kind of receiving practice (contracts.codes.OrganizationKind on the wire)."""

    PRIVATE_PRACTICE = "private_practice"
    COMMUNITY_MENTAL_HEALTH_CENTER = "community_mental_health_center"
    FQHC = "fqhc"
    HOSPITAL_PROGRAM = "hospital_program"
    TELEHEALTH_ONLY = "telehealth_only"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class LevelOfCare(StrEnum):
    OUTPATIENT_THERAPY = "outpatient_therapy"
    PSYCHIATRY = "psychiatry"  # psychiatry / medication management
    IOP = "iop"
    PHP = "php"


class Modality(StrEnum):
    IN_PERSON = "in_person"
    TELEHEALTH = "telehealth"


class Population(StrEnum):
    PREGNANT = "pregnant"
    POSTPARTUM = "postpartum"  # up to `postpartum_months` after delivery (usually 12)
    PARTNERS = "partners"


class IntakeMethod(StrEnum):
    REFERRAL_FORM = "referral_form"
    INTAKE_LINE = "intake_line"
    SCHEDULING_LINK = "scheduling_link"


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    address_1: str
    city: str
    state: str  # USPS code
    postal_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class IntakeHours:
    """Hours the intake line answers, in the service's time zone. weekday: 0 = Monday."""

    weekday: int
    opens: str  # "HH:MM"
    closes: str  # "HH:MM"


@dataclass(frozen=True)
class Capacity:
    """HSDS service_capacity for new-patient intake, plus the freshness stamp."""

    available: int
    maximum: int
    next_available_intake: date | None
    accepting_new_patients: bool
    waitlist_length: int
    verified_at: datetime
    verified_by: str  # user or organization id that confirmed the numbers


@dataclass(frozen=True)
class Coverage:
    """How a patient can pay: named plans, Medicaid, and the options without insurance."""

    insurance_plans: frozenset[str] = frozenset()  # e.g. {"aetna", "bcbs-il"} (lower-case ids)
    accepts_medicaid: bool = False
    sliding_scale: bool = False
    free: bool = False


@dataclass(frozen=True)
class Service:
    id: str
    organization_id: str
    name: str
    level_of_care: LevelOfCare
    modalities: frozenset[Modality]
    populations: frozenset[Population]
    postpartum_months: int
    pmhc_certified: bool  # at least one clinician holds PMH-C
    infant_welcome: bool
    languages: frozenset[str]  # BCP 47, e.g. {"en", "es"}
    coverage: Coverage
    telehealth_states: frozenset[str]  # USPS codes where its clinicians are licensed
    location_ids: tuple[str, ...]
    intake_methods: frozenset[IntakeMethod]
    intake_phone: str | None
    intake_url: str | None
    intake_hours: tuple[IntakeHours, ...]
    time_zone: str  # IANA
    description: str = ""
    capacity: Capacity | None = None


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    kind: OrgKind
    status: OrgStatus = OrgStatus.ACTIVE
    practice_type: PracticeType | None = None  # receiving practices only
    description: str = ""
    website: str | None = None
    phone: str | None = None  # the organization's main line
    locations: tuple[Location, ...] = ()
    services: tuple[Service, ...] = field(default=())

    @property
    def is_practice(self) -> bool:
        return self.kind is OrgKind.PRACTICE


@dataclass(frozen=True)
class ObservedBehaviour:
    """What a practice actually did over a rolling window, from referral events."""

    referrals: int = 0
    median_hours_to_acknowledge: float | None = None
    median_days_to_first_appointment: float | None = None
    attendance_rate: float | None = None  # attended / (attended + missed)
    decline_rate: float | None = None  # declined / referrals
    decline_reasons: tuple[tuple[str, int], ...] = ()
