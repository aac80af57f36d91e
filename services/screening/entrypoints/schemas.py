"""HTTP request and response bodies of the screening API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from contracts.codes import Instrument, Setting
from contracts.fields import PatientRef
from contracts.resources import Resource
from services.screening.domain.screening import Screening


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


class QuestionnaireResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patient_ref: PatientRef
    setting: Setting
    resource: dict[str, Any] = Field(
        description="A FHIR R4 QuestionnaireResponse for the EPDS (71354-5) or PHQ-9 (44249-1)."
    )
    screened_at: AwareDatetime | None = Field(
        None, description="Defaults to the resource's `authored`."
    )


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
    next_steps: NextStepsOut

    @classmethod
    def of(cls, s: Screening) -> ScreeningOut:
        steps = s.next_steps
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
            next_steps=NextStepsOut(
                actions=list(steps.actions),
                resources=[ResourceOut.of(r) for r in steps.resources],
            ),
        )
