"""Events produced by the follow-up service: the coordinator's work list and the time rules.

Keyed by referral_id, like the referral topic, so a consumer sees one referral's follow-ups in
the order they happened.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.base import EventPayload
from contracts.codes import (
    FollowUpBarrier,
    FollowUpKind,
    FollowUpOutcome,
    GateKind,
    GateRequirement,
    SlaKind,
    TaskKind,
)
from contracts.fields import OrgId
from contracts.topics import FOLLOWUP


class FollowUpEvent(EventPayload):
    """Fields every follow-up event carries."""

    TOPIC = FOLLOWUP
    SUBJECT_FIELD = "referral_id"

    referral_id: UUID
    site_id: OrgId = Field(description="Referring organization, whose coordinator follows up.")
    practice_id: OrgId = Field(description="Receiving practice that owns the referral.")


class FollowUpDue(FollowUpEvent):
    """A follow-up by the referring site's coordinator is due (e.g. 7 to 10 days after referral)."""

    TYPE = "FollowUpDue"
    VERSION = 1

    follow_up_id: UUID
    kind: FollowUpKind
    window_opens_at: AwareDatetime
    due_at: AwareDatetime
    urgent: bool


class FollowUpCompleted(FollowUpEvent):
    """The coordinator followed up and recorded, as codes, what they found."""

    TYPE = "FollowUpCompleted"
    VERSION = 1

    follow_up_id: UUID
    kind: FollowUpKind
    outcome: FollowUpOutcome
    barrier: FollowUpBarrier | None = Field(description="Why care did not happen, if it did not.")
    re_engaged: bool = Field(
        description="The coordinator re-engaged the patient (e.g. re-referred)."
    )
    completed_at: AwareDatetime
    task: TaskKind | None = Field(default=None, description="The task this follow-up closed.")


class SlaBreached(FollowUpEvent):
    """A time rule of the warm handoff was broken; the referral service reacts (e.g. re-routes)."""

    TYPE = "SlaBreached"
    VERSION = 1

    kind: SlaKind
    due_at: AwareDatetime
    detected_at: AwareDatetime
    urgent: bool


class GateAlertRaised(FollowUpEvent):
    """A setting's gate is near and what must precede it is missing: act before the patient leaves.

    Hospital: no confirmed appointment before the planned discharge. IOP/PHP: no scheduled
    outpatient appointment, or no discharge summary sent, before the last IOP session.
    """

    TYPE = "GateAlertRaised"
    VERSION = 1

    gate: GateKind
    gate_at: AwareDatetime
    missing: tuple[GateRequirement, ...] = Field(min_length=1)
    raised_at: AwareDatetime
    urgent: bool


class UrgentAcknowledgementOverdue(FollowUpEvent):
    """An urgent referral the practice has not acknowledged within the first business hours of its
    intake line (2 by default, before the acknowledgement deadline itself): an early alert to the
    practice and the referring site's coordinator. The deadline's SlaBreached still follows if it
    passes too."""

    TYPE = "UrgentAcknowledgementOverdue"
    VERSION = 1

    alert_at: AwareDatetime = Field(
        description="When the business hours since it was submitted (or redirected) had run."
    )
    detected_at: AwareDatetime
