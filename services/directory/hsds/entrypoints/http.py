"""`GET /v1/hsds/...`: the directory as Open Referral HSDS 3.1 JSON, with service_capacity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request

from services.directory.adapters import listings
from services.directory.hsds.domain.export import export_directory
from services.directory.settings import DirectorySettings
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep

router = APIRouter(prefix="/v1/hsds", tags=["hsds"])
Collection = Literal["organizations", "services", "locations", "service_at_locations"]


@router.get("")
async def whole_directory(
    request: Request, conn: ConnectionDep, caller: CallerDep
) -> dict[str, list[dict[str, Any]]]:
    """All four HSDS collections at once."""
    settings: DirectorySettings = request.app.state.runtime.settings
    orgs = await listings.load(conn)
    return export_directory(orgs, datetime.now(UTC), settings.capacity_max_age)


@router.get("/{collection}")
async def one_collection(
    collection: Collection, request: Request, conn: ConnectionDep, caller: CallerDep
) -> list[dict[str, Any]]:
    """One HSDS collection: organizations, services (with capacities), locations or
    service_at_locations."""
    return (await whole_directory(request, conn, caller))[collection]
