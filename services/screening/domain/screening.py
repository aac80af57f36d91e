"""A recorded screening: the command that asks for one and the record it becomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from contracts.codes import Period
from services.screening.domain.errors import InvalidScreening
from services.screening.domain.next_steps import NextSteps, next_steps
from services.screening.domain.scoring import ScoreResult, score
from services.screening.domain.thresholds import Thresholds

# Clocks on clinic workstations drift; a screen "a little in the future" is a clock, not an error.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class RecordScreening:
    organization_id: str
    recorded_by: str
    patient_ref: str
    instrument: str
    answers: tuple[int, ...]
    setting: str
    screened_at: datetime
    # Antenatal or postpartum; None (not given) reads the total against the default cut-offs.
    period: Period | None = None


@dataclass(frozen=True)
class Screening:
    id: UUID
    organization_id: str
    recorded_by: str
    patient_ref: str
    setting: str
    answers: tuple[int, ...]
    screened_at: datetime
    result: ScoreResult

    @property
    def period(self) -> Period | None:
        return self.result.interpretation.period if self.result.interpretation else None

    @property
    def next_steps(self) -> NextSteps:
        return next_steps(self.result, self.setting)


def evaluate(
    command: RecordScreening, screening_id: UUID, thresholds: Thresholds, now: datetime
) -> Screening:
    """Score the answers and build the record; raises InvalidScreening with a field path."""
    if command.screened_at > now + CLOCK_SKEW:
        raise InvalidScreening("/screened_at", "screened_at is in the future")
    result = score(command.instrument, command.answers, thresholds, command.period)
    next_steps(result, command.setting)  # validates the setting
    return Screening(
        id=screening_id,
        organization_id=command.organization_id,
        recorded_by=command.recorded_by,
        patient_ref=command.patient_ref,
        setting=command.setting,
        answers=command.answers,
        screened_at=command.screened_at,
        result=result,
    )
