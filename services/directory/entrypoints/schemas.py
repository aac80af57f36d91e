"""Request and response bodies: organizations, and listings and capacity with the checks that
make a listing trustworthy."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from contracts.fields import OrgId
from services.directory.domain.codes import US_STATES, known_language
from services.directory.domain.model import (
    IntakeMethod,
    LevelOfCare,
    Modality,
    OrgKind,
    OrgStatus,
    Population,
    PracticeType,
)
from services.directory.domain.partners import MAX_PARTNERS

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    address_1: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    state: str
    postal_code: str = Field(pattern=r"^\d{5}(-\d{4})?$")
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)

    @field_validator("state")
    @classmethod
    def _state(cls, v: str) -> str:
        if v not in US_STATES:
            raise ValueError("unknown USPS state code")
        return v


class IntakeHoursIn(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens: str
    closes: str

    @model_validator(mode="after")
    def _times(self) -> IntakeHoursIn:
        if not (_HHMM.match(self.opens) and _HHMM.match(self.closes)):
            raise ValueError("opens/closes must be HH:MM")
        if self.opens >= self.closes:
            raise ValueError("closes must be after opens")
        return self


class ServiceIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    level_of_care: LevelOfCare
    modalities: set[Modality] = Field(min_length=1)
    populations: set[Population] = Field(min_length=1)
    postpartum_months: int = Field(12, ge=0, le=36)
    pmhc_certified: bool = False
    infant_welcome: bool = False
    languages: set[str] = Field(min_length=1)
    insurance_plans: set[str] = set()
    accepts_medicaid: bool = False
    sliding_scale: bool = False
    free: bool = False
    telehealth_states: set[str] = set()
    location_ids: list[str] = []
    intake_methods: set[IntakeMethod] = Field(min_length=1)
    intake_phone: str | None = Field(None, pattern=r"^[0-9+()\- .]{7,20}$")
    intake_url: str | None = Field(None, pattern=r"^https://")
    intake_hours: list[IntakeHoursIn] = []
    time_zone: str = "America/Chicago"

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: set[str]) -> set[str]:
        unknown = sorted(t for t in v if not known_language(t))
        if unknown:
            raise ValueError(f"unknown language code(s): {', '.join(unknown)} (use ISO 639)")
        return v

    @field_validator("telehealth_states")
    @classmethod
    def _states(cls, v: set[str]) -> set[str]:
        unknown = sorted(v - US_STATES)
        if unknown:
            raise ValueError(f"unknown USPS state code(s): {', '.join(unknown)}")
        return v

    @field_validator("insurance_plans")
    @classmethod
    def _plans(cls, v: set[str]) -> set[str]:
        if any(not re.match(_ID, p) for p in v):
            raise ValueError("plan ids are short codes such as 'bcbs-il'")
        return {p.lower() for p in v}

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown IANA time zone") from None
        return v

    def problems(self, own_locations: set[str]) -> list[tuple[str, str]]:
        """Rules across fields, as (JSON pointer, detail)."""
        found = []
        if Modality.TELEHEALTH in self.modalities and not self.telehealth_states:
            found.append(("/telehealth_states", "telehealth needs the states of licensure"))
        if Modality.IN_PERSON in self.modalities and not self.location_ids:
            found.append(("/location_ids", "in-person care needs at least one location"))
        for i, loc in enumerate(self.location_ids):
            if loc not in own_locations:
                found.append((f"/location_ids/{i}", f"no location {loc} in this organization"))
        return found


class CapacityIn(Strict):
    available: int = Field(ge=0, description="New-patient intake slots open now.")
    maximum: int = Field(ge=0, description="Intake slots when fully open.")
    next_available_intake: date | None = None
    accepting_new_patients: bool = True
    waitlist_length: int = Field(0, ge=0)
    verified_at: AwareDatetime | None = Field(
        None,
        description="When the numbers were last verified, if not now (ISO 8601 with offset, not "
        "in the future). For demo data: accepted only when the directory runs in development.",
    )

    @field_validator("verified_at")
    @classmethod
    def _not_in_the_future(cls, v: datetime | None) -> datetime | None:
        if v is not None and v > datetime.now(UTC):
            raise ValueError("verified_at cannot be in the future")
        return v

    def problems(self) -> list[tuple[str, str]]:
        if self.available > self.maximum:
            return [("/available", "available cannot exceed maximum")]
        return []


class OrganizationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrgKind
    practice_type: PracticeType | None = None
    description: str = Field("", max_length=2000)
    website: HttpUrl | None = None
    phone: str | None = Field(None, pattern=r"^[0-9+()\- .]{7,20}$")


class OrganizationOut(BaseModel):
    id: str
    name: str
    kind: OrgKind
    status: OrgStatus
    practice_type: PracticeType | None
    description: str
    website: str | None
    phone: str | None


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    acts_for_people: bool = Field(
        False, description="May exchange for people's tokens (RFC 8693): the portal's client."
    )


class ClientOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; store it in a secret manager.")


class PreferredPracticesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practice_ids: list[OrgId] = Field(
        max_length=MAX_PARTNERS,
        description="The site's preferred practices, in its own order; replaces the list.",
    )


class PreferredPracticesOut(BaseModel):
    organization_id: str
    practice_ids: list[str]
