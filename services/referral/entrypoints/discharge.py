"""The referring site's word to the discharge gate: the outpatient provider confirmed she has
the appointment (`POST /v1/referrals/{id}/provider-confirmation`, IOP/PHP), and the hospital
moved its planned discharge (`PUT /v1/referrals/{id}/planned-discharge`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from services.referral.entrypoints.referrals import referral_view
from services.referral.service_layer.commands.discharge import (
    confirm_outpatient_appointment,
    move_planned_discharge,
)
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]


class PlannedDischargeIn(BaseModel):
    planned_discharge_at: AwareDatetime = Field(description="The new discharge time.")


@router.post("/{referral_id}/provider-confirmation")
async def provider_confirmation(
    referral_id: UUID, conn: ConnectionDep, caller: ClinicDep
) -> dict[str, Any]:
    """The IOP team records that the outpatient provider confirmed she has the appointment; the
    follow-up gate is satisfied only with it. A 409 while the referral has no appointment."""
    async with conn.transaction():
        r = await confirm_outpatient_appointment(conn, caller, referral_id, datetime.now(UTC))
    return referral_view(r)


@router.put("/{referral_id}/planned-discharge")
async def planned_discharge(
    referral_id: UUID, body: PlannedDischargeIn, conn: ConnectionDep, caller: ClinicDep
) -> dict[str, Any]:
    """The hospital moved the discharge; the follow-up gate's clocks follow it."""
    async with conn.transaction():
        r = await move_planned_discharge(
            conn, caller, referral_id, body.planned_discharge_at, datetime.now(UTC)
        )
    return referral_view(r)
