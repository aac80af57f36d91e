"""The receiving practice's intake API: its inbox and every lifecycle transition."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from contracts.codes import Urgency
from contracts.lifecycle import ReferralStatus
from services.referral.adapters import referral_repository as repo
from services.referral.domain.lifecycle import Action
from services.referral.domain.referral import AppointmentLogistics
from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.entrypoints.referrals import referral_view
from services.referral.entrypoints.schemas import (
    AcknowledgeIn,
    CancelAppointmentIn,
    CloseIn,
    ContactIn,
    DeclineIn,
    ScheduleIn,
)
from services.referral.service_layer.commands.access import REFERRAL_RECORD
from services.referral.service_layer.commands.lifecycle import (
    schedule_appointment,
    transition_referral,
)
from warmlink.audit import audit_each
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(tags=["intake"])
PracticeDep = Annotated[Caller, require_role(Role.PRACTICE)]
Ctx = Annotated[ReferralContext, context]


@router.get("/v1/intake")
async def inbox(
    conn: ConnectionDep,
    caller: PracticeDep,
    status: ReferralStatus | None = None,
    urgency: Urgency | None = None,
    clinician: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The practice's referrals: urgent first, then the oldest acknowledgement deadline;
    `clinician` keeps those booked with that staff id. Each referral listed is audited as read."""
    async with conn.transaction():
        rows = await repo.intake(conn, caller.organization_id, status, urgency, limit, clinician)
        ids = [str(r["id"]) for r in rows]
        await audit_each(conn, caller, "read", REFERRAL_RECORD, ids)
    return {
        "practice_id": caller.organization_id,
        "items": [referral_view(repo.to_referral(r)) | {"appointment": _booked(r)} for r in rows],
    }


def _booked(row: Any) -> dict[str, Any] | None:
    """The appointment as the inbox lists it: when, how and with whom; where is not opened."""
    if row["appointment_at"] is None:
        return None
    return {
        "at": row["appointment_at"].isoformat(),
        "modality": row["appointment_modality"],
        "clinician": row["appointment_clinician"],
    }


async def _move(
    conn: ConnectionDep,
    caller: Caller,
    ctx: ReferralContext,
    referral_id: UUID,
    action: Action,
    body: BaseModel,
) -> dict[str, Any]:
    async with conn.transaction():
        r = await transition_referral(
            conn,
            caller,
            referral_id,
            action,
            body.model_dump(),
            datetime.now(UTC),
            ctx.listeners,
            redirects=ctx.redirects,
        )
    return referral_view(r)


@router.post("/v1/intake/{referral_id}/acknowledge")
async def acknowledge(
    referral_id: UUID,
    conn: ConnectionDep,
    caller: PracticeDep,
    ctx: Ctx,
    body: AcknowledgeIn | None = None,
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.ACKNOWLEDGE, body or AcknowledgeIn())


@router.post("/v1/intake/{referral_id}/contact-attempts")
async def contact(
    referral_id: UUID, body: ContactIn, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.RECORD_CONTACT, body)


@router.post("/v1/intake/{referral_id}/schedule")
async def schedule(
    referral_id: UUID, body: ScheduleIn, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    """Book the appointment: time and modality, and where (or how, for telehealth) to join it,
    which only the referring site and this practice can read (`GET /v1/referrals/{id}`)."""
    logistics = AppointmentLogistics(
        body.location, body.telehealth_instructions, body.clinician_name
    )
    details = body.model_dump(
        exclude={"location", "telehealth_instructions", "clinician", "clinician_name"}
    )
    async with conn.transaction():
        r = await schedule_appointment(
            conn,
            caller,
            referral_id,
            details,
            logistics,
            ctx.keyring,
            datetime.now(UTC),
            ctx.listeners,
            appointment_within_days=ctx.appointment_within_days,
            redirects=ctx.redirects,
            clinician=body.clinician,
            messaging=ctx.patient_messaging,
        )
    return referral_view(r)


@router.post("/v1/intake/{referral_id}/attended")
async def attended(
    referral_id: UUID, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.RECORD_ATTENDED, AcknowledgeIn())


@router.post("/v1/intake/{referral_id}/missed")
async def missed(
    referral_id: UUID, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.RECORD_MISSED, AcknowledgeIn())


@router.post("/v1/intake/{referral_id}/cancel-appointment")
async def cancel_appointment(
    referral_id: UUID, body: CancelAppointmentIn, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.CANCEL_APPOINTMENT, body)


@router.post("/v1/intake/{referral_id}/decline")
async def decline(
    referral_id: UUID, body: DeclineIn, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.DECLINE, body)


@router.post("/v1/intake/{referral_id}/close")
async def close(
    referral_id: UUID, body: CloseIn, conn: ConnectionDep, caller: PracticeDep, ctx: Ctx
) -> dict[str, Any]:
    return await _move(conn, caller, ctx, referral_id, Action.CLOSE, body)
