"""The monthly completion review on screen (referred, acknowledged, scheduled, attended, by
month, with the barriers named) and as the follow-up service's CSV: a site's coordinator sees
her own site, the network's people any site (or the whole network) through a select."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import coordination, reviews
from services.portal.domain.people import Person
from services.portal.entrypoints.coordination import unreachable
from services.portal.entrypoints.deps import (
    PortalContext,
    ask_directory,
    ask_followup,
    identity,
    page,
    portal,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
MONTHS_SHOWN = 3  # the chosen month and the two before it: a trend, not a single figure
REFERRING_KINDS = {"hospital", "ob", "pediatric", "iop_php"}
# An organization id (contracts.fields.OrgId): nothing else is echoed into a header.
ORG_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "The monthly review is for the site's coordinator and the network's people."
    return page(request, "message.html", opened, 403, title="Not available", message=message)


def _month(request: Request, ctx: PortalContext) -> str:
    default = coordination.month_of(ctx.now().astimezone(ctx.settings.zone()).date())
    return request.query_params.get("month") or default


def _site(request: Request, person: Person) -> str | None:
    """The site whose review is shown: hers, or the network's choice (None: the network)."""
    if person.coordinates_site:
        return None  # her token's scope is her site already
    chosen = request.query_params.get("site") or ""
    return chosen if ORG_ID.fullmatch(chosen) else None


async def _sites(ctx: PortalContext, person: Person) -> list[dict[str, Any]]:
    if not person.coordinates_network:
        return []
    answer = await ask_directory(ctx, person, "/v1/organizations")
    if answer is None or not answer.ok:
        return []
    return [o for o in answer.body if o["kind"] in REFERRING_KINDS]


@router.get("/coordination/monthly")
async def monthly_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not (person.coordinates_site or person.coordinates_network):
        return not_for_this_role(request, opened)
    ctx = portal(request)
    month, site = _month(request, ctx), _site(request, person)
    values: dict[str, Any] = {
        "title": "Monthly completion review",
        "month": month,
        "site": site,
        "sites": await _sites(ctx, person),
        "csv_link": "/coordination/monthly.csv?" + urlencode({"month": month, "site": site or ""}),
    }
    if not coordination.is_month(month):
        errors = {"month": "Give a month as YYYY-MM, for example 2026-11."}
        return page(request, "coordination_monthly.html", opened, 422, errors=errors, **values)
    months = coordination.months_back(month, MONTHS_SHOWN)
    answers = await asyncio.gather(
        *(ask_followup(ctx, person, f"/v1/reports/monthly?month={m}") for m in months)
    )
    if any(a is None or not a.ok for a in answers):
        return unreachable(request, opened, "Monthly completion review")
    rows = [
        reviews.month_row(m, reviews.measures_for(a.body, site))
        for m, a in zip(months, answers, strict=True)
        if a is not None
    ]
    return page(request, "coordination_monthly.html", opened, rows=rows, **values)


@router.get("/coordination/monthly.csv")
async def monthly_csv(request: Request, conn: ConnectionDep) -> Response:
    """The follow-up service's monthly report as CSV (one row per group and measure): her
    site's; for the network, its whole report or one site's rows of it."""
    opened, person = await signed_in(conn, request)
    if not (person.coordinates_site or person.coordinates_network):
        return not_for_this_role(request, opened)
    ctx = portal(request)
    month, site = _month(request, ctx), _site(request, person)
    if not coordination.is_month(month):
        return await monthly_page(request, conn)
    path = f"/v1/reports/monthly?month={month}&format=csv"
    try:
        status, text = await ctx.network.followup_csv(identity(person), path)
    except httpx.HTTPError:
        status, text = 502, ""
    if status != 200:
        return unreachable(request, opened, "Monthly completion review")
    if site is not None:
        text = reviews.site_csv_rows(text, site)
    name = site or person.organization_id
    disposition = f'attachment; filename="completion-{name}-{month}.csv"'
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )
