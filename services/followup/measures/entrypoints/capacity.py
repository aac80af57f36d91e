"""GET /v1/capacity and /v1/capacity/freshness: the network's capacity (administrators)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.followup.measures.adapters import queries
from services.followup.measures.domain.capacity import capacity_summary
from services.followup.measures.domain.freshness import freshness
from services.followup.measures.entrypoints.deps import NowDep, SettingsDep
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


@router.get("/v1/capacity/freshness")
async def get_capacity_freshness(
    conn: ConnectionDep,
    caller: AdminDep,
    settings: SettingsDep,
    now: NowDep,
    window_days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> dict[str, Any]:
    """Every confirmed listing with when it goes (or went) stale, soonest first, and the
    practices that confirmed no capacity within `window_days` (or never)."""
    max_age = timedelta(hours=settings.capacity_stale_after_hours)
    window = timedelta(days=window_days)
    return freshness(await queries.listings(conn), now, max_age, window)
