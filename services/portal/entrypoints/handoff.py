"""The digital warm handoff from a worklist item: matches from the directory with their
reasons, then her details and consent, sent to the referral API with the form's
Idempotency-Key (a double submit makes one referral)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from contracts.resources import CRISIS_LINES
from services.portal.adapters.network import Answer
from services.portal.domain import handoff
from services.portal.domain.handoff import MatchCriteria
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    PortalContext,
    form_of,
    identity,
    page,
    portal,
    signed_in,
)
from services.portal.entrypoints.worklist import UNREACHABLE, not_for_this_role, screen_page
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
LEVEL_OF_CARE = "outpatient_therapy"


def _criteria(values: Any) -> MatchCriteria:
    return MatchCriteria(
        coverage=str(values.get("coverage") or ""),
        plan=str(values.get("plan") or ""),
        population=str(values.get("population") or ""),
    )


async def _item(ctx: PortalContext, person: Person, screening_id: UUID) -> Answer:
    return await ctx.network.referral(identity(person), "GET", f"/v1/worklist/{screening_id}")


def _trouble(request: Request, opened: Opened, answer: Answer) -> Response:
    if answer.status == 404:
        message = "There is no such screen at your site."
        return page(request, "message.html", opened, 404, title="Not found", message=message)
    return page(request, "message.html", opened, 502, title="Referral", message=UNREACHABLE)


async def _site_location(ctx: PortalContext, person: Person) -> dict[str, float]:
    """Where to search from: the site's first location in the directory, if it has one."""
    listing = await ctx.network.listing(identity(person), person.organization_id)
    locations = listing.body.get("locations") if listing.ok else None
    for location in locations or []:
        if location.get("latitude") is not None and location.get("longitude") is not None:
            return {"latitude": location["latitude"], "longitude": location["longitude"]}
    return {}


async def _setting(ctx: PortalContext, person: Person, item: dict[str, Any]) -> str:
    """Which setting-specific fields the form asks: her site's kind in the directory."""
    listing = await ctx.network.listing(identity(person), person.organization_id)
    kind = listing.body.get("kind") if listing.ok else None
    return handoff.site_setting(kind, item["setting"])


@router.get("/screens/{screening_id}/matches")
async def matches_page(screening_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    criteria = _criteria(request.query_params)
    errors = criteria.errors()
    if errors:
        return await screen_page(
            request, opened, person, screening_id, 422, errors=errors, criteria=criteria
        )
    ctx = portal(request)
    item, near = await asyncio.gather(_item(ctx, person, screening_id), _site_location(ctx, person))
    if not item.ok:
        return _trouble(request, opened, item)
    query: dict[str, Any] = {
        "level_of_care": LEVEL_OF_CARE,
        "telehealth_state": ctx.settings.network_state,
        "urgency": "urgent" if item.body["urgent"] else "routine",
        **criteria.query(),
        **near,
    }
    found = await ctx.network.directory(identity(person), f"/v1/matches?{urlencode(query)}")
    if not found.ok:
        errors = {field: detail for field, detail in found.errors() if field in ("plan",)}
        if errors:
            return await screen_page(
                request, opened, person, screening_id, 422, errors=errors, criteria=criteria
            )
        message = found.detail or "The directory did not answer; try again in a moment."
        return page(request, "message.html", opened, 502, title="Matches", message=message)
    handoff_url = f"/screens/{screening_id}/handoff?"
    choices = [
        m
        | {
            "refer": handoff_url + urlencode(_pick(m, criteria, "digital")),
            "call": handoff_url + urlencode(_pick(m, criteria, "in_room_call")),
        }
        for m in found.body["matches"]
    ]
    return page(
        request,
        "matches.html",
        opened,
        title=f"Practices for {item.body['patient_ref']}",
        item=item.body,
        matches=choices,
        fallback=found.body.get("fallback", []),
        partners_not_fitting=found.body.get("partners_not_fitting", []),
        crisis_lines=CRISIS_LINES,
        coverage=handoff.COVERAGE[criteria.coverage],
    )


def _pick(match: dict[str, Any], criteria: MatchCriteria, method: str) -> dict[str, str]:
    return {
        "practice_id": match["organization_id"],
        "service_id": match["service_id"],
        "method": method,
        **criteria.query(),
    }


async def _handoff_form(
    request: Request,
    opened: Opened,
    person: Person,
    screening_id: UUID,
    values: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Response:
    ctx = portal(request)
    item, practice = await asyncio.gather(
        _item(ctx, person, screening_id),
        ctx.network.listing(identity(person), values.get("practice_id", "")),
    )
    if not item.ok:
        return _trouble(request, opened, item)
    if not practice.ok:
        message = "That practice is not in the directory. Go back and choose another."
        return page(request, "message.html", opened, 404, title="Referral", message=message)
    service = next(
        (s for s in practice.body.get("services", []) if s["id"] == values.get("service_id")),
        None,
    )
    if service is None:
        message = "That practice has no such service. Go back and choose another."
        return page(request, "message.html", opened, 404, title="Referral", message=message)
    method = values.get("method") if values.get("method") in handoff.METHODS else "digital"
    setting = await _setting(ctx, person, item.body)
    return page(
        request,
        "handoff.html",
        opened,
        status_code,
        title=f"Refer {item.body['patient_ref']}",
        item=item.body,
        practice=practice.body,
        service=service,
        values=values | {"method": str(method)},
        script=handoff.call_script(item.body, practice.body["name"]),
        setting_field=handoff.SETTING_FIELDS.get(setting),
        barriers=handoff.BARRIERS,
        safe_contact=handoff.SAFE_CONTACT,
        languages=handoff.LANGUAGES,
        **extra,
    )


async def _summary(request: Request) -> bytes | None:
    """The discharge summary attached to the form (IOP/PHP), read up to one byte over the
    limit; None when none was chosen. The form is parsed once: Starlette keeps it."""
    upload = (await request.form()).get(handoff.SUMMARY_FIELD)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await upload.read(handoff.SUMMARY_MAX_BYTES + 1)


async def _send_summary(
    ctx: PortalContext, person: Person, referral_id: str, content: bytes
) -> str | None:
    """Attach the summary to the referral just made; what went wrong, or None when it went."""
    kind = handoff.summary_type(content)
    assert kind is not None  # checked with the form
    path = f"/v1/referrals/{referral_id}/discharge-summary"
    answer = await ctx.network.referral_document(identity(person), path, content, kind)
    if answer.ok:
        return None
    return answer.detail or UNREACHABLE


@router.get("/screens/{screening_id}/handoff")
async def handoff_page(screening_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    values = {k: str(v) for k, v in request.query_params.items()}
    values["idempotency_key"] = str(uuid.uuid4())  # one per form shown: a resubmit is the same
    return await _handoff_form(request, opened, person, screening_id, values)


@router.post("/screens/{screening_id}/handoff")
async def submit_handoff(screening_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    item = await _item(ctx, person, screening_id)
    if not item.ok:
        return _trouble(request, opened, item)
    setting = await _setting(ctx, person, item.body)
    errors = handoff.handoff_errors(form, setting)
    summary = await _summary(request) if setting == "iop_php" else None
    if summary is not None and handoff.summary_type(summary) is None:
        errors[handoff.SUMMARY_FIELD] = handoff.SUMMARY_REFUSED
    criteria = _criteria(form)
    errors |= {f"criteria_{k}": v for k, v in criteria.errors().items()}
    key = form.get("idempotency_key", "")
    if errors or not key:
        return await _handoff_form(request, opened, person, screening_id, form, 422, errors=errors)
    body = handoff.referral_body(
        form,
        item.body,
        criteria,
        str(person.id),
        ctx.settings.zone(),
        form.get("method", ""),
        setting,
    )
    answer = await ctx.network.referral(
        identity(person), "POST", "/v1/referrals", body, **{"Idempotency-Key": key}
    )
    if answer.status == 201:
        summary_problem = (
            await _send_summary(ctx, person, answer.body["id"], summary) if summary else None
        )
        return page(
            request,
            "handoff_done.html",
            opened,
            201,
            title="Referral sent",
            referral=answer.body,
            item=item.body,
            crisis_lines=CRISIS_LINES,
            summary_sent=summary is not None and summary_problem is None,
            summary_problem=summary_problem,
        )
    placed = {
        field: detail
        for pointer, detail in answer.errors()
        if (field := handoff.form_field(pointer)) is not None
    }
    problem = None if placed else (answer.detail or UNREACHABLE)
    status = answer.status if 400 <= answer.status < 500 else 502
    return await _handoff_form(
        request, opened, person, screening_id, form, status, errors=placed, problem=problem
    )
