"""GET /dashboard: the administrators' page, and its own scripts and styles.

The page is static and holds no data: its script reads the token from the URL fragment and
calls the JSON API. The Content-Security-Policy lets it load and call nothing but this service,
so no CDN or font host can be reached even by mistake.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

from warmlink.problems import NotFound

router = APIRouter(tags=["dashboard"], include_in_schema=False)
ASSETS = Path(__file__).resolve().parent.parent / "assets" / "dashboard"
MEDIA_TYPES = {
    "charts.js": "text/javascript",
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
}
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@router.get("/dashboard")
async def dashboard() -> Response:
    return FileResponse(ASSETS / "index.html", media_type="text/html", headers=HEADERS)


@router.get("/dashboard/assets/{name}")
async def asset(name: str) -> Response:
    # Only the named files: a path is never built from what the client sent.
    media_type = MEDIA_TYPES.get(name)
    if media_type is None:
        raise NotFound("No such dashboard asset.")
    return FileResponse(ASSETS / name, media_type=media_type, headers=HEADERS)
