"""Referral routes: the referring site's worklist, and how it accounts for each positive screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.codes import EscalationLevel, SafetyAssessmentOutcome, ScreenClosureReason
from services.referral.adapters import screen_accounting, worklist_repository
from services.referral.domain.errors import ScreenNotFound
from services.referral.domain.worklist import CloseScreen, WorklistItem
from services.referral.domain.worklist import WorklistReason as Reason
from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.service_layer.commands import worklist as commands
from warmlink.audit import audit, audit_each
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/worklist", tags=["worklist"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
Ctx = Annotated[ReferralContext, context]


class WorklistItemOut(BaseModel):
    screening_id: UUID
    patient_ref: str
    instrument: str
    total: int
    band: str
    urgent: bool
    setting: str
    screened_at: datetime
    status: str = Field(description="needs_referral, referred or closed.")
    referral_id: UUID | None = None
    reason: Reason = Field(description="Why she is on the list: what the site does next.")
    reason_detail: str | None = Field(
        None, description="A code: the decline reason, or the barrier found at follow-up."
    )
    returned_at: datetime | None = Field(None, description="When a referral brought her back.")
    closure_reason: ScreenClosureReason | None = None
    closed_at: datetime | None = None
    safety_outcome: SafetyAssessmentOutcome | None = Field(
        None, description="The latest safety assessment (required before an urgent screen closes)."
    )
    safety_assessed_at: datetime | None = None
    escalation: EscalationLevel | None = Field(
        None, description="Whose task it became when nobody accounted for it in time."
    )
    escalated_at: datetime | None = None
    # After a decline or a missed acknowledgement: where to find the next practices.
    next_matches: str | None = None


class WorklistOut(BaseModel):
    site_id: str
    items: list[WorklistItemOut]


class ScreenTimelineOut(BaseModel):
    at: datetime
    action: str
    actor: str
    organization_id: str
    reason: str | None


class ScreenOut(WorklistItemOut):
    closure_note: str | None = Field(None, description="The site's note (sealed at rest).")
    timeline: list[ScreenTimelineOut]


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ScreenClosureReason
    note: str | None = Field(None, max_length=1000, description="Required for reason 'other'.")


class SafetyAssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: SafetyAssessmentOutcome


def item_view(i: WorklistItem) -> WorklistItemOut:
    return WorklistItemOut(
        **{k: getattr(i, k) for k in WorklistItemOut.model_fields if hasattr(i, k)},
        next_matches=f"/v1/referrals/{i.referral_id}/next-matches" if i.referral_id else None,
    )


@router.get("", response_model=WorklistOut)
async def get_worklist(
    conn: ConnectionDep,
    caller: ClinicDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    status: Literal["needs_referral", "referred", "closed", "all"] = "needs_referral",
) -> WorklistOut:
    """Patients of the caller's own site who need a referral (or `status`): urgent first, then
    oldest. Each item listed is audited as read."""
    site = caller.organization_id
    wanted = None if status == "all" else status
    async with conn.transaction():
        items = await worklist_repository.for_site(conn, site, wanted, limit)
        ids = [str(i.screening_id) for i in items]
        await audit_each(conn, caller, "read", commands.WORKLIST_RECORD, ids)
    return WorklistOut(site_id=site, items=[item_view(i) for i in items])


@router.get("/{screening_id}", response_model=ScreenOut)
async def get_screen(
    screening_id: UUID, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> ScreenOut:
    """One screen of the caller's site, its closure note and its timeline; the reads audited."""
    async with conn.transaction():
        item = await screen_accounting.site_item(conn, screening_id, caller.organization_id)
        if item is None:
            raise ScreenNotFound(screening_id)
        await audit(conn, caller, "read", commands.WORKLIST_RECORD, str(screening_id))
        note = await screen_accounting.closure_note(
            conn, screening_id, caller.organization_id, ctx.keyring
        )
        if note is not None:
            await audit(conn, caller, "read", "worklist_closure_note", str(screening_id))
        entries = await screen_accounting.timeline(conn, screening_id)
    return ScreenOut(
        **item_view(item).model_dump(),
        closure_note=note,
        timeline=[ScreenTimelineOut(**dict(e)) for e in entries],
    )


@router.post("/{screening_id}/close", response_model=WorklistItemOut)
async def close_screen(
    screening_id: UUID, body: CloseIn, conn: ConnectionDep, caller: ClinicDep, ctx: Ctx
) -> WorklistItemOut:
    """Close a positive screen nobody will refer, with a coded reason (PositiveScreenClosed).
    An urgent screen needs its safety assessment first (409)."""
    command = CloseScreen(screening_id, body.reason, body.note)
    async with conn.transaction():
        item = await commands.close_screen(conn, caller, command, ctx.keyring, datetime.now(UTC))
    return item_view(item)


@router.post("/{screening_id}/safety-assessment", response_model=WorklistItemOut, status_code=201)
async def record_safety_assessment(
    screening_id: UUID, body: SafetyAssessmentIn, conn: ConnectionDep, caller: ClinicDep
) -> WorklistItemOut:
    """Record the safety assessment a positive safety item calls for (SafetyAssessmentRecorded)."""
    async with conn.transaction():
        item = await commands.record_safety_assessment(
            conn, caller, screening_id, body.outcome, datetime.now(UTC)
        )
    return item_view(item)
