"""HTTP request and response bodies of the screening API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from contracts.codes import Instrument, Period, Setting
from contracts.fields import PatientRef
from contracts.resources import Resource
from services.screening.domain.screening import Screening

_PERIOD = Field(
    None,
    description="Antenatal or postpartum: the EPDS total is read against that period's cut-offs "
    "in this network. Left out, the network's default cut-offs apply (as before this field).",
)


class ScreeningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instrument: Instrument
    answers: list[StrictInt] = Field(
        description="Position of the option chosen for each item, 0 = first printed option.",
        max_length=20,
    )
    patient_ref: PatientRef
    setting: Setting
    screened_at: AwareDatetime
    period: Period | None = _PERIOD


class QuestionnaireResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_ref: PatientRef
    setting: Setting
    resource: dict[str, Any] = Field(
        description="A FHIR R4 QuestionnaireResponse for the EPDS (71354-5) or PHQ-9 (44249-1).",
        max_length=50,  # top-level elements; the request body limit bounds the rest
    )
    screened_at: AwareDatetime | None = Field(
        None, description="Defaults to the resource's `authored`."
    )
    period: Period | None = _PERIOD


class ResourceOut(BaseModel):
    name: str
    contact: str
    kind: str
    note: str

    @classmethod
    def of(cls, r: Resource) -> ResourceOut:
        return cls(name=r.name, contact=r.contact, kind=r.kind, note=r.note)


class NextStepsOut(BaseModel):
    actions: list[str]
    resources: list[ResourceOut]


class InterpretationOut(BaseModel):
    """The cut-offs the total was read against, and the sentence that says so."""

    period: Period | None
    positive_at: int
    probable_at: int | None
    summary: str


class ScreeningOut(BaseModel):
    id: UUID
    instrument: str
    setting: str
    patient_ref: str
    screened_at: AwareDatetime
    item_scores: list[int]
    total: int
    band: str
    positive: bool
    urgent: bool
    period: Period | None
    interpretation: InterpretationOut | None = Field(
        description="Null only for a screening recorded before interpretations were kept."
    )
    next_steps: NextStepsOut

    @classmethod
    def of(cls, s: Screening) -> ScreeningOut:
        steps = s.next_steps
        applied, summary = s.result.interpretation, s.result.summary
        interpretation = None
        if applied is not None and summary is not None:
            interpretation = InterpretationOut(
                period=applied.period,
                positive_at=applied.positive_at,
                probable_at=applied.probable_at,
                summary=summary,
            )
        return cls(
            id=s.id,
            instrument=s.result.instrument,
            setting=s.setting,
            patient_ref=s.patient_ref,
            screened_at=s.screened_at,
            item_scores=list(s.result.item_scores),
            total=s.result.total,
            band=s.result.band,
            positive=s.result.positive,
            urgent=s.result.urgent,
            period=s.period,
            interpretation=interpretation,
            next_steps=NextStepsOut(
                actions=list(steps.actions),
                resources=[ResourceOut.of(r) for r in steps.resources],
            ),
        )


class TrailEntryOut(BaseModel):
    """One read or write of the screening: who, in what role, did what, when."""

    at: datetime
    actor: str = Field(description="person:<uuid> for a person, else the machine client.")
    organization_id: str
    role: str
    person_role: str | None = Field(description="A person's role; null for a machine client.")
    acting_client: str | None = Field(description="The client that acted for the person.")
    action: Literal["read", "write"]
    record_type: str
    record_id: str


class TrailOut(BaseModel):
    screening_id: UUID
    items: list[TrailEntryOut]
