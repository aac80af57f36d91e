"""Entering a screen at the portal (EPDS or PHQ-9 on paper, not from the EHR): the answers go
to the screening service, which scores them; a positive one reaches the worklist from there."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.resources import CRISIS_LINES
from services.portal.domain import screen_entry
from services.portal.entrypoints.deps import form_of, identity, page, portal, signed_in
from services.portal.entrypoints.worklist import UNREACHABLE, not_for_this_role
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])


def _form(
    request: Request,
    opened: Opened,
    instrument: str,
    values: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Response:
    items, options = screen_entry.INSTRUMENTS[instrument]
    return page(
        request,
        "screen_entry.html",
        opened,
        status_code,
        title=f"Enter an {instrument} screen",
        instrument=instrument,
        instruments=list(screen_entry.INSTRUMENTS),
        items=range(1, items + 1),
        options=list(enumerate(screen_entry.OPTION_NAMES[:options])),
        settings=screen_entry.SETTINGS,
        periods=screen_entry.PERIODS,
        values=values,
        **extra,
    )


@router.get("/screens/new")
async def new_screen(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    wanted = request.query_params.get("instrument", "EPDS")
    instrument = wanted if wanted in screen_entry.INSTRUMENTS else "EPDS"
    values = {
        "idempotency_key": str(uuid.uuid4()),
        "screened_at": ctx.now().astimezone(ctx.settings.zone()).strftime("%Y-%m-%dT%H:%M"),
    }
    return _form(request, opened, instrument, values)


@router.post("/screens/new")
async def record_screen(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    instrument = form.get("instrument", "")
    if instrument not in screen_entry.INSTRUMENTS:
        return _form(request, opened, "EPDS", form, 422, problem="Choose EPDS or PHQ-9.")
    zone = ctx.settings.zone()
    errors = screen_entry.entry_errors(form, instrument, ctx.now(), zone)
    if errors or not form.get("idempotency_key"):
        return _form(request, opened, instrument, form, 422, errors=errors)
    body = screen_entry.screening_body(form, instrument, zone)
    key = {"Idempotency-Key": form["idempotency_key"]}
    try:
        answer = await ctx.network.screening(
            identity(person), "POST", "/v1/screenings", body, **key
        )
    except httpx.HTTPError:
        return _form(request, opened, instrument, form, 502, problem=UNREACHABLE)
    if answer.status in (200, 201):
        return page(
            request,
            "screen_recorded.html",
            opened,
            201,
            title="Screen recorded",
            screen=answer.body,
            crisis_lines=CRISIS_LINES,
        )
    placed = {screen_entry.field_of(p): d for p, d in answer.errors()}
    problem = None if placed else (answer.detail or UNREACHABLE)
    status = answer.status if 400 <= answer.status < 500 else 502
    return _form(request, opened, instrument, form, status, errors=placed, problem=problem)
