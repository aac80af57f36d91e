"""The referring site's pages: its worklist and one screen, with the safety assessment form."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.codes import SafetyAssessmentOutcome
from contracts.resources import CRISIS_LINES
from services.portal.domain import handoff, worklist
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    PortalContext,
    ask_referral,
    form_of,
    identity,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
OUTCOMES = [(str(o), worklist.OUTCOME_LABELS[o]) for o in SafetyAssessmentOutcome]
UNREACHABLE = "The referral service did not answer. Nothing was lost: try again in a moment."


def _views(
    items: list[dict[str, Any]],
    now: datetime,
    zone: ZoneInfo,
    clocks: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    clocks = clocks or {}
    return [
        item
        | {
            "deadline": worklist.deadline(clocks.get(str(item["screening_id"])), now, zone),
            "waited": worklist.waited(datetime.fromisoformat(item["screened_at"]), now),
            "needs_assessment": worklist.needs_safety_assessment(item),
            "outcome_label": worklist.outcome_label(item.get("safety_outcome")),
            "reason_label": worklist.REASON_LABELS.get(item["reason"], item["reason"]),
        }
        for item in worklist.ordered(items)
    ]


async def _clocks(ctx: PortalContext, person: Person) -> dict[str, dict[str, Any]]:
    """The follow-up service's next clock of each open screen of her site; without it the
    worklist still shows (without deadlines)."""
    try:
        answer = await ctx.network.followup(identity(person), "/v1/screen-clocks")
    except httpx.HTTPError:
        return {}
    if not answer.ok:
        return {}
    return {str(c["screening_id"]): c for c in answer.body["items"]}


def not_for_this_role(request: Request, opened: Opened) -> Response:
    return page(
        request,
        "message.html",
        opened,
        403,
        title="Not available",
        message="The worklist is for the people of referring sites.",
    )


@router.get("/worklist")
async def worklist_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    answer, clocks = await asyncio.gather(  # the two services at once
        ask_referral(ctx, person, "GET", "/v1/worklist?limit=200"), _clocks(ctx, person)
    )
    if answer is None or not answer.ok:
        return page(request, "message.html", opened, 502, title="Worklist", message=UNREACHABLE)
    items = _views(answer.body["items"], ctx.now(), ctx.settings.zone(), clocks)
    return page(
        request,
        "worklist.html",
        opened,
        title="Worklist",
        items=items,
        any_urgent=any(i["urgent"] for i in items),
        crisis_lines=CRISIS_LINES,
    )


async def screen_page(
    request: Request,
    opened: Opened,
    person: Person,
    screening_id: UUID,
    status_code: int = 200,
    **values: Any,
) -> Response:
    ctx = portal(request)
    answer, clocks = await asyncio.gather(
        ask_referral(ctx, person, "GET", f"/v1/worklist/{screening_id}"), _clocks(ctx, person)
    )
    if answer is None:
        return page(request, "message.html", opened, 502, title="Screen", message=UNREACHABLE)
    if answer.status == 404:
        return page(
            request,
            "message.html",
            opened,
            404,
            title="Not found",
            message="There is no such screen at your site.",
        )
    if not answer.ok:
        return page(request, "message.html", opened, 502, title="Screen", message=UNREACHABLE)
    item = _views([answer.body], ctx.now(), ctx.settings.zone(), clocks)[0]
    return page(
        request,
        "screen.html",
        opened,
        status_code,
        title=f"Screen {item['patient_ref']}",
        item=item,
        timeline=answer.body.get("timeline", []),
        outcomes=OUTCOMES,
        crisis_lines=CRISIS_LINES,
        coverages=handoff.COVERAGE,
        populations=handoff.POPULATIONS,
        **values,
    )


@router.get("/screens/{screening_id}")
async def get_screen_page(screening_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    notice = "Safety assessment recorded." if request.query_params.get("recorded") else None
    return await screen_page(request, opened, person, screening_id, notice=notice)


@router.post("/screens/{screening_id}/safety-assessment")
async def record_safety_assessment(
    screening_id: UUID, request: Request, conn: ConnectionDep
) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.refers:
        return not_for_this_role(request, opened)
    outcome = form.get("outcome", "")
    if outcome not in {o for o, _ in OUTCOMES}:
        errors = {"outcome": "Choose what the safety assessment found or did."}
        return await screen_page(request, opened, person, screening_id, 422, errors=errors)
    ctx = portal(request)
    path = f"/v1/worklist/{screening_id}/safety-assessment"
    answer = await ask_referral(ctx, person, "POST", path, {"outcome": outcome})
    if answer is not None and answer.ok:
        return see_other(f"/screens/{screening_id}?recorded=1")
    if answer is None:
        problem = UNREACHABLE
    else:
        problem = str((answer.body or {}).get("detail") or "The assessment was not recorded.")
    errors = answer.field_errors() if answer is not None else {}
    return await screen_page(
        request,
        opened,
        person,
        screening_id,
        answer.status if answer is not None and answer.status < 500 else 502,
        errors=errors,
        problem=None if errors else problem,
        chosen=outcome,
    )
