"""The receiving practice's pages: its inbox (urgent first, each new referral's acknowledgement
countdown, filters by status and clinician as a plain GET form) and one referral as intake needs
it, with a one-click button or a short form for each step its status allows."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from contracts.lifecycle import ReferralStatus
from services.portal.adapters import people as people_table
from services.portal.adapters.network import Answer
from services.portal.domain import inbox, intake_forms
from services.portal.domain import referrals as referral_words
from services.portal.domain.people import Person
from services.portal.entrypoints.capacity import capacity_for_inbox
from services.portal.entrypoints.deps import (
    PortalContext,
    ask_referral,
    identity,
    page,
    portal,
    reachable,
    signed_in,
)
from services.portal.entrypoints.thread import thread_summary
from services.portal.entrypoints.worklist import UNREACHABLE
from services.portal.service_layer.commands.sessions import Opened
from warmlink.business_time import BusinessCalendar
from warmlink.db import Connection, ConnectionDep
from warmlink.roles import PersonRole

router = APIRouter(tags=["pages"])
STATUSES = [(str(s), inbox.status_label(str(s))) for s in ReferralStatus]
NOT_YOURS = "There is no such referral in your practice's inbox."
DONE = {
    "acknowledge": "Acknowledged.",
    "contact": "Contact attempt logged.",
    "schedule": "Appointment booked.",
    "attended": "Recorded: she attended.",
    "missed": "Recorded: she missed the appointment.",
    "rebook": "The appointment was cancelled and booked again.",
    "decline": "Declined; the referring site is told.",
    "close": "Closed.",
}


def not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "A receiving practice's people see its referrals here."
    return page(request, "message.html", opened, 403, title="Not available", message=message)


async def _people(conn: Connection, request: Request, person: Person) -> dict[str, Person]:
    """The practice's people by the staff id its steps and appointments name them with."""
    keyring = portal(request).rules.keyring
    people = await people_table.of_organization(conn, person.organization_id, keyring)
    return {f"person:{p.id}": p for p in people}


async def clinicians(conn: Connection, request: Request, person: Person) -> dict[str, str]:
    """The practice's clinicians by staff id, to their email."""
    people = await _people(conn, request, person)
    return {k: p.email for k, p in people.items() if p.role is PersonRole.CLINICIAN}


async def _listing(ctx: PortalContext, person: Person, org_id: str) -> dict[str, Any]:
    """An organization's directory listing, or {} when the directory does not answer (the page
    then counts down in the default business hours and shows no address)."""
    answer = await reachable(ctx.network.listing(identity(person), org_id))
    return answer.body if answer is not None and answer.ok else {}


def _default(ctx: PortalContext) -> BusinessCalendar:
    """The referral service's own default, 09:00-17:00 on weekdays in the network's zone, for a
    service whose listing is not at hand."""
    return BusinessCalendar(ctx.settings.network_time_zone, is_holiday=ctx.settings.holidays())


@router.get("/inbox")
async def inbox_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not inbox.keeps_inbox(person):
        return not_for_this_role(request, opened)
    ctx = portal(request)
    names = await clinicians(conn, request, person)
    filters = inbox.InboxFilters.of(request.query_params)
    errors = filters.errors(set(names))
    values: dict[str, Any] = {
        "title": "Inbox",
        "filters": filters,
        "statuses": STATUSES,
        "clinicians": sorted(names.items(), key=lambda kv: kv[1]),
    }
    if errors:
        return page(request, "inbox.html", opened, 422, errors=errors, items=[], **values)
    query = urlencode(filters.api_query() | {"limit": "200"})
    answer, listing = await asyncio.gather(
        ask_referral(ctx, person, "GET", f"/v1/intake?{query}"),
        _listing(ctx, person, person.organization_id),
    )
    if answer is None or not answer.ok:
        return page(request, "message.html", opened, 502, title="Inbox", message=UNREACHABLE)
    calendars = inbox.calendars(listing, ctx.settings.holidays())
    rows = inbox.inbox_rows(answer.body["items"], calendars, names, ctx.now(), _default(ctx))
    zone = ctx.settings.zone()
    for row in rows:
        row["submitted"] = referral_words.local_time(row["submitted_at"], zone)
    capacity = await capacity_for_inbox(request, person)
    return page(request, "inbox.html", opened, items=rows, capacity=capacity, **values)


async def referral_page(
    request: Request,
    conn: Connection,
    opened: Opened,
    person: Person,
    referral_id: UUID,
    status_code: int = 200,
    **values: Any,
) -> Response:
    """The referral as intake needs it; `values` carry a form's errors and what was typed."""
    ctx = portal(request)
    referral, timeline = await asyncio.gather(
        ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}"),
        ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}/timeline"),
    )
    if referral is None or not referral.ok or timeline is None or not timeline.ok:
        return _trouble(request, opened, referral)
    r = referral.body
    if r["practice"]["id"] != person.organization_id:
        # The referring site's people see it on their referrals page, not as a practice's.
        return page(request, "message.html", opened, 404, title="Not found", message=NOT_YOURS)
    people = await _people(conn, request, person)
    emails = {k: p.email for k, p in people.items()}
    names = {k: p.email for k, p in people.items() if p.role is PersonRole.CLINICIAN}
    site, own = await asyncio.gather(
        _listing(ctx, person, r["site_id"]), _listing(ctx, person, person.organization_id)
    )
    calendars = inbox.calendars(own, ctx.settings.holidays())
    calendar = calendars.get(r["practice"]["service_id"], _default(ctx))
    zone = ctx.settings.zone()  # the portal's times, shown and typed, are the network's
    waiting = r["status"] == ReferralStatus.SUBMITTED
    booked = r["appointment"] or {}
    typed: dict[str, str] = values.pop("typed", {})
    return page(
        request,
        "inbox_referral.html",
        opened,
        status_code,
        title=f"Referral for {r['patient_ref']}",
        r=r,
        status_label=inbox.status_label(r["status"]),
        steps=inbox.steps(r["status"]),
        countdown=inbox.countdown(calendar, datetime.fromisoformat(r["acknowledge_by"]), ctx.now())
        if waiting
        else None,
        submitted=referral_words.local_time(r["submitted_at"], zone),
        acknowledge_by=referral_words.local_time(r["acknowledge_by"], zone),
        appointment_at=referral_words.local_time(booked.get("at"), zone),
        needed_by=referral_words.local_time(r["appointment_needed_by"], zone),
        booked_with=emails.get(booked.get("clinician") or "", booked.get("clinician")),
        referrer=await _referrer(conn, request, r["referrer_id"]),
        site=site,
        # Steps by the practice's people name them; the site's, the site (its people are its own).
        timeline=referral_words.timeline_view(timeline.body, emails, "", zone),
        clinicians=sorted(names.items(), key=lambda kv: kv[1]),
        forms=intake_forms,
        values={"location": inbox.office_address(own), "modality": "in_person"} | typed,
        zone_name=str(zone),
        referral_id=referral_id,
        **await thread_summary(request, person, referral_id),
        **values,
    )


async def _referrer(conn: Connection, request: Request, referrer_id: str) -> str:
    """Who referred her: a person of the portal (the handoff form names her by her id) by her
    email, else the staff id the site's system sent."""
    try:
        person_id = UUID(referrer_id.removeprefix("person:"))
    except ValueError:
        return referrer_id
    found = await people_table.by_id(conn, person_id, portal(request).rules.keyring)
    return found.email if found is not None else referrer_id


def _trouble(request: Request, opened: Opened, answer: Answer | None) -> Response:
    if answer is not None and answer.status == 404:
        return page(request, "message.html", opened, 404, title="Not found", message=NOT_YOURS)
    return page(request, "message.html", opened, 502, title="Referral", message=UNREACHABLE)


@router.get("/inbox/{referral_id}")
async def inbox_referral_page(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not inbox.keeps_inbox(person):
        return not_for_this_role(request, opened)
    notice = DONE.get(request.query_params.get("done") or "")
    return await referral_page(request, conn, opened, person, referral_id, notice=notice)


@router.get("/inbox/{referral_id}/discharge-summary")
async def discharge_summary(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    """The IOP or hospital's discharge summary, as the referring site sent it (its read is
    audited by the referral service, naming her)."""
    opened, person = await signed_in(conn, request)
    if not inbox.keeps_inbox(person):
        return not_for_this_role(request, opened)
    ctx = portal(request)
    path = f"/v1/intake/{referral_id}/discharge-summary"
    try:
        status, content, content_type = await ctx.network.referral_file(identity(person), path)
    except httpx.HTTPError:
        status, content, content_type = 502, b"", ""
    if status == 404:
        message = "No discharge summary has been sent with this referral."
        return page(request, "message.html", opened, 404, title="Not found", message=message)
    if status != 200:
        return page(request, "message.html", opened, 502, title="Referral", message=UNREACHABLE)
    return Response(content, media_type=content_type.split(";")[0] or None)
