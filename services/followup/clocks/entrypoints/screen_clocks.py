"""A site's open positive screens and each one's next clock: by when it must be referred or
closed before it escalates (the site's coordinator first, then the network's). Ids, codes and
times only; the referring site's worklist shows them beside each screen."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.followup.clocks.adapters import screens
from services.followup.clocks.domain.rules import ClockKind
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(tags=["tasks"])
ClinicDep = Annotated[Caller, require_role(Role.CLINIC)]
ESCALATES_TO = {
    ClockKind.SCREEN_SITE: "site_coordinator",
    ClockKind.SCREEN_NETWORK: "network_coordinator",
}


@router.get("/v1/screen-clocks")
async def list_screen_clocks(
    conn: ConnectionDep,
    caller: ClinicDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> dict[str, Any]:
    """The caller's site's open screens with their next clock: `due_at` is when the screen
    escalates to `escalates_to` unless referred or closed (an urgent one also needs its safety
    assessment by its first deadline)."""
    rows = await screens.site_clocks(conn, caller.organization_id, limit)
    return {
        "site_id": caller.organization_id,
        "items": [
            {
                "screening_id": str(r["screening_id"]),
                "urgent": r["urgent"],
                "clock": r["kind"],
                "due_at": r["fire_at"].isoformat(),
                "escalates_to": ESCALATES_TO.get(r["kind"]),
                "safety_outcome": r["safety_outcome"],
            }
            for r in rows
        ],
    }
