"""Events produced by the screening service."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts.base import EventPayload
from contracts.codes import Instrument, Period, Setting
from contracts.fields import CodeValue, OrgId, PatientRef
from contracts.topics import SCREENING


class ScreenPositive(EventPayload):
    """A screen scored positive on the server (or its safety item was above zero).

    Carries the clinical minimum a referral needs: instrument, total, band and urgency; never the
    item answers, and never who the patient is beyond the site's pseudonymous reference.
    """

    TYPE = "ScreenPositive"
    VERSION = 1
    TOPIC = SCREENING
    SUBJECT_FIELD = "screening_id"

    screening_id: UUID
    site_id: OrgId
    patient_ref: PatientRef
    instrument: Instrument
    total: int = Field(ge=0, le=30, description="Server-computed total score.")
    band: CodeValue = Field(description="Severity band code, e.g. 'probable_depression'.")
    urgent: bool = Field(description="Safety item (EPDS 10, PHQ-9 item 9) above zero.")
    setting: Setting
    screened_at: AwareDatetime
    period: Period | None = Field(
        None,
        description="Perinatal period the screen was scored for; null when the site did not say "
        "(the network's default cut-offs applied).",
    )
    positive_cutoff: int | None = Field(
        None,
        ge=1,
        le=30,
        description="The cut-off the total was compared with: the lowest total that is positive "
        "for this instrument and period in this network (EPDS: possible depression). Null from "
        "producers that predate it. An urgent screen is positive whatever its total.",
    )
