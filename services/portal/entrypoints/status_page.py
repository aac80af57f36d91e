"""Her status page, `/s/<token>`: the link in every message she is sent, opened with no account.

Limited per client address and per link (PORTAL_STATUS_PAGE_PER_MINUTE each): past it, 429 with
Retry-After. An unknown link, an expired one and a malformed one get the same 404 page, which
names no practice and no status. The referral service records each opening in its audit trail
(actor `patient-status-link`); the client address is used for the limit in memory only and
stored nowhere (an address can point to her home).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.status_facts import StatusFacts
from services.portal.domain.rate_limit import RateLimiter
from services.portal.domain.status_page import no_page, status_page
from services.portal.entrypoints.deps import page

router = APIRouter(tags=["status page"], include_in_schema=False)
WINDOW_S = 60.0
# What the referral service issues (128 bits, URL-safe base64); anything else is not asked for.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass
class StatusPages:
    facts: StatusFacts
    per_minute: int
    clock: Callable[[], float] = time.monotonic  # seconds; tests pass their own
    by_address: RateLimiter = field(init=False)
    by_link: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.by_address = RateLimiter(self.per_minute, WINDOW_S)
        self.by_link = RateLimiter(self.per_minute, WINDOW_S)

    def wait(self, address: str, token: str) -> float | None:
        """Seconds to wait before asking again, or None when this request may go ahead."""
        now = self.clock()
        link = hashlib.sha256(token.encode()).hexdigest()
        return self.by_address.hit(address, now) or self.by_link.hit(link, now)


def _pages(request: Request) -> StatusPages:
    pages: StatusPages = request.app.state.status_pages
    return pages


@router.get("/s/{token}")
async def status(token: str, request: Request) -> Response:
    pages = _pages(request)
    wait = pages.wait(request.client.host if request.client else "unknown", token)
    if wait is not None:
        refused = page(request, "status_missing.html", None, 429, page=no_page(), slow_down=True)
        refused.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
        return refused
    if not TOKEN.match(token):
        return _missing(request, 404)
    try:
        answer = await pages.facts.of_link(token)
    except httpx.HTTPError:
        return _missing(request, 503)
    if answer.status != 200 or not isinstance(answer.body, dict):
        return _missing(request, 404 if answer.status == 404 else 503)
    return page(request, "status.html", None, view=status_page(answer.body))


def _missing(request: Request, status_code: int) -> Response:
    return page(request, "status_missing.html", None, status_code, page=no_page())
