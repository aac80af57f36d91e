"""Events produced by the directory service: practice profiles and their capacity.

Profiles are state-transfer events (the whole profile each time) so a consumer's copy never needs
merging. They carry codes and ids only: names, addresses and phone numbers stay in the directory
API, because events are widely read and immutable.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from contracts.base import ContractModel, EventPayload
from contracts.codes import Funding, LevelOfCare, Modality, OrganizationKind
from contracts.fields import LanguageTag, OrgId, ServiceId, StateCode, TimeZoneName
from contracts.topics import DIRECTORY


class IntakeWindow(ContractModel):
    """Hours the intake line answers on one weekday, in the practice's time zone."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday.")
    opens: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    closes: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class PracticeService(ContractModel):
    """One service of a practice (HSDS service) with its perinatal eligibility."""

    service_id: ServiceId
    level_of_care: LevelOfCare
    modalities: tuple[Modality, ...]
    telehealth_states: tuple[StateCode, ...] = ()
    languages: tuple[LanguageTag, ...] = ()
    serves_pregnant: bool
    postpartum_months: int = Field(ge=0, le=36, description="Served up to N months postpartum.")
    infant_welcome: bool = Field(description="The infant may come to sessions.")
    intake_hours: tuple[IntakeWindow, ...] = Field(
        default=(), description="Empty: business hours (09:00-17:00, Monday to Friday)."
    )
    area: str | None = Field(
        default=None,
        pattern=r"^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ .'-]{0,79}$",
        description="Where the service is delivered (city of its location; None: telehealth).",
    )


class PracticeProfile(EventPayload):
    """Fields common to PracticeRegistered and PracticeUpdated."""

    TOPIC = DIRECTORY
    SUBJECT_FIELD = "practice_id"

    practice_id: OrgId
    kind: OrganizationKind
    time_zone: TimeZoneName = Field(description="Acknowledgement deadlines count in this zone.")
    accepting_referrals: bool
    pmh_c_certified: bool = Field(description="At least one clinician holds PMH-C.")
    funding: tuple[Funding, ...]
    services: tuple[PracticeService, ...]
    updated_at: AwareDatetime


class PracticeRegistered(PracticeProfile):
    """A practice joined the network directory."""

    TYPE = "PracticeRegistered"
    VERSION = 1


class PracticeUpdated(PracticeProfile):
    """A practice's profile changed; carries the whole profile as it now is."""

    TYPE = "PracticeUpdated"
    VERSION = 1


class CapacityUpdated(EventPayload):
    """Capacity of one service (HSDS service_capacity) with its freshness stamp.

    Also published with ``stale=True`` when nobody has confirmed it recently, so that every
    consumer shows it as stale rather than trusting an old number.
    """

    TYPE = "CapacityUpdated"
    VERSION = 1
    TOPIC = DIRECTORY
    SUBJECT_FIELD = "practice_id"

    practice_id: OrgId
    service_id: ServiceId
    available: int = Field(ge=0, description="New-patient intake slots open now.")
    maximum: int = Field(ge=0, description="New-patient intake slots when fully open.")
    next_available_intake: date | None
    accepting_new_patients: bool
    verified_at: AwareDatetime = Field(description="When a person last confirmed these numbers.")
    stale: bool


class CapacityNearingStale(EventPayload):
    """A service's capacity will go stale soon unless someone confirms it: announced once per
    confirmation, the lead time before it goes stale (the directory's setting, 2 days by
    default), so its practice is reminded."""

    TYPE = "CapacityNearingStale"
    VERSION = 1
    TOPIC = DIRECTORY
    SUBJECT_FIELD = "practice_id"

    practice_id: OrgId
    service_id: ServiceId
    verified_at: AwareDatetime = Field(description="When a person last confirmed its numbers.")
    stale_at: AwareDatetime = Field(description="When it goes stale unless confirmed again.")
