"""How a positive screen is accounted for: the site's closures and safety assessments (referral
service) and the escalations of a screen nobody referred or closed in time (follow-up service).

Keyed by screening_id, so one screen's events are read in order. Codes only: a closure's note is
free text about a patient and stays sealed in the referral service.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.base import EventPayload
from contracts.codes import EscalationLevel, SafetyAssessmentOutcome, ScreenClosureReason
from contracts.fields import OrgId
from contracts.topics import ESCALATION, WORKLIST


class ScreenEvent(EventPayload):
    """Fields every screen-accounting event carries: the screen and its referring site."""

    TOPIC = WORKLIST
    SUBJECT_FIELD = "screening_id"

    screening_id: UUID
    site_id: OrgId = Field(description="Referring organization whose worklist holds the screen.")


class SafetyAssessmentRecorded(ScreenEvent):
    """The site recorded the risk assessment a positive safety item calls for."""

    TYPE = "SafetyAssessmentRecorded"
    VERSION = 1

    outcome: SafetyAssessmentOutcome
    urgent: bool = Field(description="The screen's safety item was positive.")
    assessed_at: AwareDatetime


class PositiveScreenClosed(ScreenEvent):
    """The site closed a positive screen without a referral, with a coded reason."""

    TYPE = "PositiveScreenClosed"
    VERSION = 1

    reason: ScreenClosureReason
    urgent: bool
    safety_assessment: SafetyAssessmentOutcome | None = Field(
        description="The assessment on record when it closed (required for an urgent screen)."
    )
    closed_at: AwareDatetime


class PositiveScreenEscalated(ScreenEvent):
    """A positive screen was neither referred nor closed by its deadline: a coordinator's task."""

    TYPE = "PositiveScreenEscalated"
    VERSION = 1
    TOPIC = ESCALATION

    level: EscalationLevel
    task_id: UUID
    urgent: bool
    safety_assessed: bool = Field(description="A safety assessment is on record.")
    due_at: AwareDatetime = Field(description="The deadline the screen missed.")
    escalated_at: AwareDatetime
