"""Who read or changed a referral: its access log, for the referring site's coordinator and the
network's administrators. Everyone else gets the 404 of a referral not theirs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.referral.domain.access_log import Cursor
from services.referral.entrypoints.schemas import AccessEntryOut, AccessLogOut
from services.referral.service_layer.commands.access_log import read_access_log
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput

router = APIRouter(prefix="/v1/referrals", tags=["referrals"])


@router.get("/{referral_id}/access", response_model=AccessLogOut)
async def get_access_log(
    referral_id: UUID,
    conn: ConnectionDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(description="The `next` link's cursor.")] = None,
) -> AccessLogOut:
    """Every read and write of the referral's records (its patient's details, appointment,
    documents, its screen's worklist item) and every change on its timeline, newest first."""
    after = Cursor.decode(before) if before is not None else None
    if before is not None and after is None:
        detail = "not a cursor this API gave: follow the `next` link"
        raise InvalidInput(detail, errors=[{"parameter": "before", "detail": detail}])
    found = await read_access_log(conn, caller, referral_id, after, limit)
    link = f"/v1/referrals/{referral_id}/access?limit={limit}&before="
    return AccessLogOut(
        referral_id=referral_id,
        screening_id=found.screening_id,
        items=[AccessEntryOut(**dict(e)) for e in found.entries],
        next=link + found.next.encode() if found.next else None,
    )
