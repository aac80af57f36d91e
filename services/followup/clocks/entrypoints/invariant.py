"""`GET /v1/invariant` (role admin): every positive screen or open referral nobody is watching.

The rule and what "live clock", "open task" and "terminal reason" mean: ``domain/invariant.py``
and docs/api.md. The report carries ids and codes only.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter

from services.followup.clocks.adapters import invariant as rows
from services.followup.clocks.domain.invariant import violations
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(tags=["invariant"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]


@router.get("/v1/invariant")
async def check_invariant(conn: ConnectionDep, caller: AdminDep) -> dict[str, Any]:
    """The whole network's check: `count` is 0 when every subject is watched or settled."""
    now = datetime.now(UTC)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        referrals = await rows.referrals(conn)
        screens = await rows.screens(conn)
    found = violations(referrals, screens, now)
    return {
        "checked_at": now.isoformat(),
        "open_referrals": len(referrals),
        "screens_checked": len(screens),
        "count": len(found),
        "violations": [asdict(v) for v in found],
    }
