"""Referral routes: the referring site's worklist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.referral.adapters import worklist_repository
from services.referral.domain.worklist import NEEDS_REFERRAL, WorklistReason
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/worklist", tags=["worklist"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]


class WorklistItemOut(BaseModel):
    screening_id: UUID
    patient_ref: str
    instrument: str
    total: int
    band: str
    urgent: bool
    setting: str
    screened_at: datetime
    status: str
    referral_id: UUID | None = None
    reason: WorklistReason = Field(description="Why she is on the list: what the site does next.")
    reason_detail: str | None = Field(
        None, description="A code: the decline reason, or the barrier found at follow-up."
    )
    returned_at: datetime | None = Field(None, description="When a referral brought her back.")
    # After a decline or a missed acknowledgement: where to find the next practices.
    next_matches: str | None = None


class WorklistOut(BaseModel):
    site_id: str
    items: list[WorklistItemOut]


@router.get("", response_model=WorklistOut)
async def get_worklist(
    conn: ConnectionDep,
    caller: ClinicDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> WorklistOut:
    """Patients of the caller's own site who need a referral: urgent first, then oldest."""
    items = await worklist_repository.for_site(conn, caller.organization_id, NEEDS_REFERRAL, limit)
    return WorklistOut(
        site_id=caller.organization_id,
        items=[
            WorklistItemOut(
                **{k: getattr(i, k) for k in WorklistItemOut.model_fields if hasattr(i, k)},
                next_matches=f"/v1/referrals/{i.referral_id}/next-matches"
                if i.referral_id
                else None,
            )
            for i in items
        ],
    )
