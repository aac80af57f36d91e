"""The referring site's referrals: the list (filters as a plain GET form, paging links, the
monthly review's CSV), one referral with its timeline, and the panel written for the patient,
which can be sent to her phone (the form's Idempotency-Key: a double click sends one)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.lifecycle import ReferralStatus
from services.portal.adapters import people as people_table
from services.portal.adapters.network import Answer
from services.portal.domain import referrals as view
from services.portal.domain.patient_deliveries import deliveries
from services.portal.domain.people import Person
from services.portal.domain.referrals import ReferralFilters
from services.portal.entrypoints.deps import (
    ask_referral,
    form_of,
    identity,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.entrypoints.worklist import UNREACHABLE
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import Connection, ConnectionDep

router = APIRouter(tags=["pages"])
STATUSES = [(str(s), view.status_label(str(s))) for s in ReferralStatus]
NOT_YOURS = "There is no such referral at your site."


async def _site_people(conn: Connection, request: Request, person: Person) -> list[Person]:
    keyring = portal(request).rules.keyring
    return await people_table.of_organization(conn, person.organization_id, keyring)


def _names(people: list[Person]) -> dict[str, str]:
    """Each person of the site by the subject her steps are recorded under."""
    return {f"person:{p.id}": p.email for p in people}


def not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "A referring site's people see its referrals here."
    return page(request, "message.html", opened, 403, title="Not available", message=message)


def _trouble(request: Request, opened: Opened, answer: Answer | None, title: str) -> Response:
    if answer is not None and answer.status == 404:
        return page(request, "message.html", opened, 404, title="Not found", message=NOT_YOURS)
    return page(request, "message.html", opened, 502, title=title, message=UNREACHABLE)


@router.get("/referrals")
async def referrals_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    people = await _site_people(conn, request, person)
    filters = ReferralFilters.of(request.query_params)
    errors = filters.errors({str(p.id) for p in people})
    values: dict[str, Any] = {
        "title": "Referrals",
        "filters": filters,
        "statuses": STATUSES,
        "clinicians": [(str(p.id), p.email) for p in people],
        "csv_link": "/referrals.csv?" + urlencode(filters.form_query()),
    }
    if errors:
        return page(request, "referrals.html", opened, 422, errors=errors, items=[], **values)
    query = filters.api_query(ctx.settings.zone())
    query["limit"] = str(ctx.settings.referrals_page_size)
    after = request.query_params.get("after")
    if after:
        query["after"] = after
    answer = await ask_referral(ctx, person, "GET", "/v1/referrals?" + urlencode(query))
    if answer is None or not answer.ok:
        return page(request, "message.html", opened, 502, title="Referrals", message=UNREACHABLE)
    names, zone = _names(people), ctx.settings.zone()
    items = [
        item
        | {
            "submitted": view.local_time(item["submitted_at"], zone),
            # A person of the site by her email; a machine client by its id.
            "who": names.get(item["submitted_by"] or "", item["submitted_by"] or ""),
            "status_label": view.status_label(item["status"]),
        }
        for item in answer.body["items"]
    ]
    next_link = None
    if answer.body["next"]:
        cursor = parse_qs(urlsplit(answer.body["next"]).query)["after"][0]
        next_link = "/referrals?" + urlencode(filters.form_query() | {"after": cursor})
    first_link = "/referrals?" + urlencode(filters.form_query()) if after else None
    return page(
        request,
        "referrals.html",
        opened,
        items=items,
        next_link=next_link,
        first_link=first_link,
        **values,
    )


@router.get("/referrals.csv")
async def referrals_csv(request: Request, conn: ConnectionDep) -> Response:
    """The monthly completion review: every referral the filters match, no names or numbers."""
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    people = await _site_people(conn, request, person)
    filters = ReferralFilters.of(request.query_params)
    if filters.errors({str(p.id) for p in people}):
        return see_other("/referrals?" + urlencode(filters.form_query()))
    query = filters.api_query(ctx.settings.zone()) | {"format": "csv"}
    try:
        status, text = await ctx.network.referral_csv(
            identity(person), "/v1/referrals?" + urlencode(query)
        )
    except httpx.HTTPError:
        status, text = 502, ""
    if status != 200:
        return page(request, "message.html", opened, 502, title="Referrals", message=UNREACHABLE)
    day = ctx.now().astimezone(ctx.settings.zone()).date().isoformat()
    disposition = f'attachment; filename="referrals-{person.organization_id}-{day}.csv"'
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )


@router.get("/referrals/{referral_id}")
async def referral_page(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    # Her details are not shown here, so they are not opened (nor their read audited).
    referral, timeline, messages = await asyncio.gather(
        ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}?with_patient=false"),
        ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}/timeline"),
        ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}/patient-messages"),
    )
    if referral is None or not referral.ok or timeline is None or not timeline.ok:
        return _trouble(request, opened, referral, "Referral")
    if referral.body["site_id"] != person.organization_id:
        # The practice's people see it at their own inbox, not here as a site's referral.
        return page(request, "message.html", opened, 404, title="Not found", message=NOT_YOURS)
    r, zone = referral.body, ctx.settings.zone()
    names = _names(await _site_people(conn, request, person))
    return page(
        request,
        "referral.html",
        opened,
        title=f"Referral for {r['patient_ref']}",
        r=r,
        status_label=view.status_label(r["status"]),
        urgency_reason=view.URGENCY_REASONS.get(r["urgency_reason"] or ""),
        submitted=view.local_time(r["submitted_at"], zone),
        acknowledge_by=view.local_time(r["acknowledge_by"], zone),
        appointment_at=view.local_time((r["appointment"] or {}).get("at"), zone),
        timeline=view.timeline_view(timeline.body, names, person.organization_id, zone),
        sees_access=person.role in view.SEES_ACCESS,
        # Her messages' delivery; the page stands without it when it cannot be had.
        deliveries=deliveries(messages.body["items"], lambda at: view.local_time(at, zone))
        if messages is not None and messages.ok
        else None,
    )


async def _panel_page(
    request: Request,
    opened: Opened,
    person: Person,
    referral_id: UUID,
    status_code: int = 200,
    **values: Any,
) -> Response:
    ctx = portal(request)
    answer = await ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}/patient-message")
    if answer is None or not answer.ok:
        return _trouble(request, opened, answer, "What she hears")
    return page(
        request,
        "for_patient.html",
        opened,
        status_code,
        title="What happens next",
        panel=answer.body,
        referral_id=referral_id,
        idempotency_key=str(uuid.uuid4()),  # one per panel shown: a double click sends once
        **values,
    )


@router.get("/referrals/{referral_id}/for-patient")
async def for_patient_page(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.refers:
        return not_for_this_role(request, opened)
    notice = (
        "Sent to her. She will have it in a moment." if request.query_params.get("sent") else None
    )
    return await _panel_page(request, opened, person, referral_id, notice=notice)


@router.post("/referrals/{referral_id}/for-patient/send")
async def send_to_patient(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.refers:
        return not_for_this_role(request, opened)
    ctx = portal(request)
    key = form.get("idempotency_key") or str(uuid.uuid4())
    path = f"/v1/referrals/{referral_id}/patient-message"
    answer = await ask_referral(ctx, person, "POST", path, **{"Idempotency-Key": key})
    if answer is not None and answer.status == 202:
        return see_other(f"/referrals/{referral_id}/for-patient?sent=1", opened, request)
    if answer is not None and answer.status == 404:
        return _trouble(request, opened, answer, "What she hears")
    problem = (answer.detail if answer is not None else None) or UNREACHABLE
    status = answer.status if answer is not None and 400 <= answer.status < 500 else 502
    return await _panel_page(request, opened, person, referral_id, status, errors={"send": problem})
