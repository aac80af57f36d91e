"""The site coordinator's console: her follow-up tasks, her site's SLA breaches, the discharge
and IOP gate risks, the positive screens nobody has referred yet, and the re-engagement done;
and the form that records what a follow-up found (posted to the follow-up service)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.codes import FollowUpBarrier, FollowUpOutcome, ReEngagementStep
from services.portal.domain import coordination, worklist
from services.portal.domain.coordination import Completion
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    ask_followup,
    ask_referral,
    form_of,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
FOLLOWUP_UNREACHABLE = "The follow-up service did not answer. Nothing was lost: try again."
BREACH_DAYS = 7  # the breaches she sees: this week's, today included
OUTCOMES = [(str(o), coordination.OUTCOME_LABELS[o]) for o in FollowUpOutcome]
BARRIERS = [(str(b), coordination.BARRIER_LABELS[b]) for b in FollowUpBarrier]
TRIED = [(str(t), coordination.TRIED_LABELS[t]) for t in ReEngagementStep]


def not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "The coordination console is for the site's coordinator."
    return page(request, "message.html", opened, 403, title="Not available", message=message)


def unreachable(request: Request, opened: Opened, title: str) -> Response:
    return page(request, "message.html", opened, 502, title=title, message=FOLLOWUP_UNREACHABLE)


@router.get("/coordination")
async def coordination_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.coordinates_site:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    zone, now = ctx.settings.zone(), ctx.now()
    since = (now.astimezone(zone) - timedelta(days=BREACH_DAYS - 1)).date()
    tasks, breaches, screens = await asyncio.gather(
        ask_followup(ctx, person, "/v1/tasks?status=all&limit=200"),
        ask_followup(ctx, person, f"/v1/metrics/sla-breaches?from={since.isoformat()}"),
        ask_referral(ctx, person, "GET", "/v1/worklist?limit=200"),
    )
    if tasks is None or not tasks.ok or breaches is None or not breaches.ok:
        return unreachable(request, opened, "Coordination")
    console = coordination.console(tasks.body["items"], zone)
    unreferred = None  # None: the referral service did not answer (the page says so)
    if screens is not None and screens.ok:
        unreferred = [
            item
            | {
                "waited": worklist.waited(coordination.parse(item["screened_at"]), now),
                "reason_label": worklist.REASON_LABELS.get(item["reason"], item["reason"]),
            }
            for item in worklist.ordered(screens.body["items"])
        ]
    notice = "Follow-up recorded." if request.query_params.get("completed") else None
    return page(
        request,
        "coordination.html",
        opened,
        title="Coordination",
        console=console,
        breaches=coordination.breach_views(breaches.body["breaches"], zone),
        breach_days=BREACH_DAYS,
        unreferred=unreferred,
        notice=notice,
    )


async def _task_page(
    request: Request,
    opened: Opened,
    person: Person,
    task_id: UUID,
    status_code: int = 200,
    **values: Any,
) -> Response:
    ctx = portal(request)
    answer = await ask_followup(ctx, person, f"/v1/tasks/{task_id}")
    if answer is None or answer.status >= 500:
        return unreachable(request, opened, "Follow-up")
    if not answer.ok or answer.body["referral_id"] is None:
        message = "There is no such follow-up task at your site."
        return page(request, "message.html", opened, 404, title="Not found", message=message)
    view = coordination.task_view(answer.body, ctx.settings.zone())
    return page(
        request,
        "coordination_task.html",
        opened,
        status_code,
        title="Record a follow-up",
        task=view,
        outcomes=OUTCOMES,
        barriers=BARRIERS,
        tried_steps=TRIED,
        **values,
    )


@router.get("/coordination/tasks/{task_id}")
async def task_page(task_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.coordinates_site:
        return not_for_this_role(request, opened)
    return await _task_page(request, opened, person, task_id, chosen=None)


@router.post("/coordination/tasks/{task_id}")
async def complete_task(task_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.coordinates_site:
        return not_for_this_role(request, opened)
    tried = tuple(v for v in (await request.form()).getlist("tried") if isinstance(v, str))
    chosen = Completion(
        form.get("outcome", ""), form.get("barrier", ""), tried, form.get("re_engaged", "")
    )
    errors = chosen.errors()
    if errors:
        return await _task_page(request, opened, person, task_id, 422, errors=errors, chosen=chosen)
    ctx = portal(request)
    path = f"/v1/tasks/{task_id}/complete"
    answer = await ask_followup(ctx, person, path, "POST", chosen.body())
    if answer is not None and answer.ok:
        return see_other("/coordination?completed=1", opened, request)
    if answer is None or answer.status >= 500:
        problem = FOLLOWUP_UNREACHABLE
    else:
        problem = answer.detail or "The follow-up was not recorded."
    errors = answer.field_errors() if answer is not None else {}
    status = answer.status if answer is not None and answer.status < 500 else 502
    return await _task_page(
        request,
        opened,
        person,
        task_id,
        status,
        errors=errors,
        problem=None if errors else problem,
        chosen=chosen,
    )
