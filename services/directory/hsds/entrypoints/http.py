"""`GET /v1/hsds/...`: the directory as Open Referral HSDS 3.1 JSON, with service_capacity.

Paged by organization (each page holds its organizations' services and locations): at most
`DIRECTORY_HSDS_PAGE_MAX` a page, fewer with `per_page`; when more follow, a `Link: <...>;
rel="next"` header names the next page (`after=<the last organization's id>`). The body keeps its
shape, so a client of a directory that fits one page sees what it always saw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from services.directory.adapters import listings
from services.directory.hsds.domain.export import export_directory
from services.directory.settings import DirectorySettings
from warmlink.auth import CallerDep
from warmlink.db import ConnectionDep
from warmlink.problems import InvalidInput

router = APIRouter(prefix="/v1/hsds", tags=["hsds"])
Collection = Literal["organizations", "services", "locations", "service_at_locations"]


PerPage = Annotated[int | None, Query(ge=1, description="organizations a page; at most the max")]
After = Annotated[str, Query(max_length=200, description="the `after` of the Link rel=next")]


async def _export_page(
    request: Request,
    response: Response,
    caller: CallerDep,
    conn: ConnectionDep,
    per_page: PerPage = None,
    after: After = "",
) -> dict[str, list[dict[str, Any]]]:
    """One page of organizations, exported (module doc)."""
    settings: DirectorySettings = request.app.state.runtime.settings
    if per_page is not None and per_page > settings.hsds_page_max:
        why = f"at most {settings.hsds_page_max}"
        raise InvalidInput(f"per_page is {why}.", errors=[{"parameter": "per_page", "detail": why}])
    size = per_page or settings.hsds_page_max
    orgs, next_after = await listings.load_page(conn, after, size)
    if next_after is not None:
        query = urlencode({"per_page": size, "after": next_after})
        response.headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return export_directory(orgs, datetime.now(UTC), settings.capacity_max_age)


ExportPage = Annotated[dict[str, list[dict[str, Any]]], Depends(_export_page)]


@router.get("")
async def whole_directory(export: ExportPage) -> dict[str, list[dict[str, Any]]]:
    """All four HSDS collections at once."""
    return export


@router.get("/{collection}")
async def one_collection(collection: Collection, export: ExportPage) -> list[dict[str, Any]]:
    """One HSDS collection: organizations, services (with capacities), locations or
    service_at_locations."""
    return export[collection]
