"""The network's console (its coordinators and administrators): listings going stale and the
practices that never confirm their capacity, each organization with Suspend or Reinstate (one
click, then a confirm step), the month's figures, and the way to the audit viewer."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import reviews
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    PortalContext,
    ask_directory,
    ask_followup,
    form_of,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
UNREACHABLE = "The directory or the follow-up service did not answer. Try again in a moment."
# A listing shown as going stale this long before it is: time to call the practice.
GOING_STALE_WITHIN = timedelta(days=3)
CONFIRM_WINDOW_DAYS = 30
# The page's word for each step, and the directory's.
ACTIONS = {"suspend": "suspend", "reinstate": "reactivate"}
DONE = {
    "suspend": "is suspended: matching leaves it out and its sign-ins stop within minutes.",
    "reinstate": "is reinstated: matching offers it again.",
}


def not_found(request: Request, opened: Opened) -> Response:
    """Not the network's: the page is not there for her (as another site's referral is not)."""
    message = "There is no such page."
    return page(request, "message.html", opened, 404, title="Not found", message=message)


def unreachable(request: Request, opened: Opened) -> Response:
    return page(request, "message.html", opened, 502, title="Network", message=UNREACHABLE)


async def _organizations(ctx: PortalContext, person: Person) -> list[dict[str, Any]] | None:
    answer = await ask_directory(ctx, person, "/v1/organizations")
    if answer is None or not answer.ok:
        return None
    return sorted(answer.body, key=lambda o: (o["kind"] == "network", o["name"]))


@router.get("/network")
async def network_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.coordinates_network:
        return not_found(request, opened)
    ctx = portal(request)
    zone, now = ctx.settings.zone(), ctx.now()
    organizations, freshness, figures, today = await asyncio.gather(
        _organizations(ctx, person),
        ask_followup(ctx, person, f"/v1/capacity/freshness?window_days={CONFIRM_WINDOW_DAYS}"),
        ask_followup(ctx, person, "/v1/metrics"),
        ask_followup(ctx, person, "/v1/metrics/sla-breaches"),
    )
    if organizations is None or any(a is None or not a.ok for a in (freshness, figures, today)):
        return unreachable(request, opened)
    assert freshness is not None and figures is not None and today is not None
    names = {o["id"]: o["name"] for o in organizations}
    groups = figures.body["groups"]
    notice = None
    done, org = request.query_params.get("done"), request.query_params.get("org")
    if done in DONE and org in names:
        notice = f"{names[org]} {DONE[done]}"
    return page(
        request,
        "network.html",
        opened,
        title="Network",
        organizations=organizations,
        names=names,
        going_stale=reviews.listing_views(
            freshness.body["listings"], now, GOING_STALE_WITHIN, zone
        ),
        stale_within_days=GOING_STALE_WITHIN.days,
        never_confirming=freshness.body["never_confirming"],
        window_days=freshness.body["window_days"],
        measures=groups[0]["measures"] if groups else {},
        period=figures.body["period"],
        breaches_today=today.body["total"],
        notice=notice,
    )


async def _confirm_page(
    request: Request, opened: Opened, person: Person, org_id: str, action: str, **values: Any
) -> Response:
    ctx = portal(request)
    organizations = await _organizations(ctx, person)
    if organizations is None:
        return unreachable(request, opened)
    found = [o for o in organizations if o["id"] == org_id]
    if not found or action not in ACTIONS:
        return not_found(request, opened)
    status_code = values.pop("status_code", 200)
    title = f"{action.capitalize()} {found[0]['name']}"
    return page(
        request,
        "network_confirm.html",
        opened,
        status_code,
        title=title,
        org=found[0],
        action=action,
        **values,
    )


@router.get("/network/organizations/{org_id}/{action}")
async def confirm_page(org_id: str, action: str, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.coordinates_network:
        return not_found(request, opened)
    return await _confirm_page(request, opened, person, org_id, action)


@router.post("/network/organizations/{org_id}/{action}")
async def change_status(
    org_id: str, action: str, request: Request, conn: ConnectionDep
) -> Response:
    opened, person = await signed_in(conn, request)
    await form_of(request, opened)
    if not person.coordinates_network:
        return not_found(request, opened)
    if action not in ACTIONS:
        return not_found(request, opened)
    ctx = portal(request)
    path = f"/v1/organizations/{quote(org_id, safe='')}/{ACTIONS[action]}"
    answer = await ask_directory(ctx, person, path, "POST")
    if answer is not None and answer.ok:
        return see_other("/network?" + urlencode({"done": action, "org": org_id}), opened, request)
    if answer is None or answer.status >= 500:
        return unreachable(request, opened)
    problem = answer.detail or f"The organization was not {action}d."
    return await _confirm_page(
        request, opened, person, org_id, action, status_code=answer.status, problem=problem
    )
