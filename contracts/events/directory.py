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
