"""Her status page's facts, for the portal only (docs/api.md "Her status page").

The portal calls with its own client's token (no person: she has no account) and the SHA-256 of
the link's token in hex, so the clear token is in no log of this service. A person's token, or
another organization's client, is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path

from services.referral.entrypoints.deps import ReferralContext, context
from services.referral.service_layer.commands.patient_status import open_status_page
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep
from warmlink.problems import Forbidden

router = APIRouter(prefix="/v1/patient-status", tags=["patient status"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]
Ctx = Annotated[ReferralContext, context]
TokenHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the token.")]


@router.get("/{token_sha256}")
async def get_patient_status(
    token_sha256: TokenHash, conn: ConnectionDep, caller: AdminDep, ctx: Ctx
) -> dict[str, Any]:
    """The practice's name, the status key, the appointment while one is booked (time, zone,
    clinician, place or how to join) and her language; 404 for a link never issued or expired
    (the same answer). Only the network's own machine client (the portal) may ask."""
    if caller.person_role is not None:
        raise Forbidden("her status page is asked for by the portal itself, not for a person")
    async with conn.transaction():
        return await open_status_page(
            conn, ctx.keyring, bytes.fromhex(token_sha256), datetime.now(UTC)
        )
