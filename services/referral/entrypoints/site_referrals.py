"""The referring site's list of its own referrals: filtered, paged newest first, or all of them
as the CSV of the monthly completion review."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel

from contracts.fields import PatientRef
from contracts.lifecycle import ReferralStatus
from services.referral.domain.site_referrals import (
    MAX_LIMIT,
    BadCursor,
    Cursor,
    SiteReferral,
    SiteReferralQuery,
    review_csv,
)
from services.referral.service_layer.commands.site_referrals import (
    every_site_referral,
    site_referral_page,
)
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.openapi import CSV_TOO
from warmlink.problems import InvalidInput

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]


class SiteReferralOut(BaseModel):
    id: UUID
    patient_ref: str
    submitted_at: datetime
    submitted_by: str | None
    urgency: str
    urgency_reason: str | None
    practice_id: str
    practice_name: str
    status: str
    acknowledged_at: datetime | None
    first_appointment_at: datetime | None
    attended_at: datetime | None
    closed_reason: str | None
    link: str


class SiteReferralsOut(BaseModel):
    site_id: str
    items: list[SiteReferralOut]
    next: str | None  # the next page's URL, None on the last


def _out(r: SiteReferral) -> SiteReferralOut:
    return SiteReferralOut(**vars(r), link=f"/v1/referrals/{r.id}")


def _cursor(after: str | None) -> Cursor | None:
    try:
        return Cursor.decode(after) if after else None
    except BadCursor as exc:
        where = {"parameter": "after", "detail": exc.detail}
        raise InvalidInput(exc.detail, errors=[where]) from None


@router.get("", response_model=SiteReferralsOut, responses=CSV_TOO)
async def list_site_referrals(
    request: Request,
    conn: ConnectionDep,
    caller: ClinicDep,
    status: ReferralStatus | None = None,
    submitted_by: Annotated[str | None, Query(max_length=128)] = None,
    submitted_from: AwareDatetime | None = None,
    submitted_before: AwareDatetime | None = None,
    patient_ref: PatientRef | None = None,
    patient_ref_prefix: PatientRef | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    after: Annotated[str | None, Query(max_length=200)] = None,
    format: Literal["json", "csv"] = "json",
) -> Any:
    """The caller's site's referrals, newest first: by status, by who submitted it (the
    subject, `person:<uuid>` for a person), submitted in [from, before), by patient reference
    (exact, or by its beginning). `format=csv`: every match, as the monthly review's CSV."""
    q = SiteReferralQuery(
        status=str(status) if status else None,
        submitted_by=submitted_by,
        submitted_from=submitted_from,
        submitted_before=submitted_before,
        patient_ref=patient_ref,
        patient_ref_prefix=patient_ref_prefix,
        limit=limit,
        after=_cursor(after),
    )
    if format == "csv":
        rows = [r async for r in every_site_referral(conn, caller, q)]
        return Response(
            review_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="referrals.csv"'},
        )
    page, next_cursor = await site_referral_page(conn, caller, q)
    next_url = None
    if next_cursor is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        next_url = f"/v1/referrals?{urlencode([*params, ('after', next_cursor.encode())])}"
    return SiteReferralsOut(
        site_id=caller.organization_id, items=[_out(r) for r in page], next=next_url
    )
