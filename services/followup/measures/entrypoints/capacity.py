"""GET /v1/capacity: the network's capacity summary (administrators)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter

from services.followup.measures.adapters import queries
from services.followup.measures.domain.capacity import capacity_summary
from services.followup.measures.entrypoints.deps import SettingsDep
from warmlink.auth import Caller, Role, require_role
from warmlink.db import ConnectionDep

router = APIRouter(tags=["measures"])
AdminDep = Annotated[Caller, require_role(Role.ADMIN)]


@router.get("/v1/capacity")
async def get_capacity(
    conn: ConnectionDep, caller: AdminDep, settings: SettingsDep
) -> dict[str, Any]:
    """Open intake slots by level of care and area, stale listings, next available intake."""
    max_age = timedelta(hours=settings.capacity_stale_after_hours)
    return capacity_summary(await queries.listings(conn), datetime.now(UTC), max_age)
