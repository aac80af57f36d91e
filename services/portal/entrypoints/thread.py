"""A referral's message thread for both its ends: the referring site's people and the receiving
practice's read it (newest last) and write to it (the form's Idempotency-Key: a double click
sends one message). The referral service keeps the messages, sealed, and audits each read and
write with her token; the portal only tells the other end, by mail with no patient detail, that
a message is waiting."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters import people_emails
from services.portal.adapters.network import Answer
from services.portal.domain import thread as view
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    ask_referral,
    form_of,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from services.portal.service_layer.commands.thread_mail import tell_the_other_end
from warmlink.db import Connection, ConnectionDep
from warmlink.roles import Role

router = APIRouter(tags=["pages"])
TITLE = "Messages about a referral"
UNREACHABLE = "The referral service did not answer. Try again in a moment."
NOT_THERE = "There is no such referral for your organization."


def _not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "A referral's messages are for its referring site and its practice."
    return page(request, "message.html", opened, 403, title=TITLE, message=message)


def _trouble(request: Request, opened: Opened, answer: Answer | None) -> Response:
    if answer is not None and answer.status == 404:
        return page(request, "message.html", opened, 404, title=TITLE, message=NOT_THERE)
    return page(request, "message.html", opened, 502, title=TITLE, message=UNREACHABLE)


async def _names(conn: Connection, items: list[dict[str, Any]], person: Person) -> dict[str, str]:
    """Her own organization's authors by their emails (the other end's people are its own)."""
    ids = set()
    for item in items:
        if item["organization_id"] == person.organization_id:
            try:
                ids.add(UUID(str(item["author"]).removeprefix("person:")))
            except ValueError:
                continue  # a machine client of her organization: named by the view
    return {f"person:{k}": v for k, v in (await people_emails.emails_of(conn, ids)).items()}


async def _thread_page(
    request: Request,
    conn: Connection,
    opened: Opened,
    person: Person,
    referral_id: UUID,
    status_code: int = 200,
    **values: Any,
) -> Response:
    ctx = portal(request)
    answer = await ask_referral(ctx, person, "GET", f"/v1/referrals/{referral_id}/messages")
    if answer is None or not answer.ok:
        return _trouble(request, opened, answer)
    items = answer.body["items"]
    names = await _names(conn, items, person)
    side, other = view.other_end(answer.body, person.organization_id)
    return page(
        request,
        "thread.html",
        opened,
        status_code,
        title=TITLE,
        referral_id=referral_id,
        messages=view.message_views(items, person.organization_id, names, ctx.settings.zone()),
        other_side=view.SIDE_NAMES[side].lower(),
        other_organization=other,
        at_site=person.access_role is Role.CLINIC,
        idempotency_key=str(uuid.uuid4()),  # one per form shown: a double click sends once
        **values,
    )


async def thread_summary(request: Request, person: Person, referral_id: UUID) -> dict[str, Any]:
    """What `_referral_thread_link.html` shows beside a referral: `thread_count` and
    `thread_with`; empty (a plain link) when the referral service does not answer. It reads the
    thread, so the read is audited like any other."""
    answer = await ask_referral(
        portal(request), person, "GET", f"/v1/referrals/{referral_id}/messages"
    )
    if answer is None or not answer.ok:
        return {}
    side, _ = view.other_end(answer.body, person.organization_id)
    return {"thread_count": answer.body["count"], "thread_with": view.SIDE_NAMES[side].lower()}


@router.get("/referrals/{referral_id}/messages")
async def thread_page(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not view.writes_threads(person.access_role):
        return _not_for_this_role(request, opened)
    sent = request.query_params.get("sent")
    notice = "Sent. The other end is told by email that a message is waiting." if sent else None
    return await _thread_page(request, conn, opened, person, referral_id, notice=notice)


@router.post("/referrals/{referral_id}/messages")
async def post_to_thread(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not view.writes_threads(person.access_role):
        return _not_for_this_role(request, opened)
    ctx = portal(request)
    text = form.get("text", "")
    key = form.get("idempotency_key") or str(uuid.uuid4())
    path = f"/v1/referrals/{referral_id}/messages"
    answer = await ask_referral(
        ctx, person, "POST", path, {"text": text}, **{"Idempotency-Key": key}
    )
    if answer is not None and answer.status == 201:
        async with conn.transaction():
            await tell_the_other_end(
                conn,
                ctx.rules.keyring,
                ctx.settings.base_url,
                person.organization_id,
                answer.body,
                ctx.now(),
            )
        return see_other(f"/referrals/{referral_id}/messages?sent=1#latest", opened, request)
    if answer is None or answer.status == 404 or answer.status >= 500:
        return _trouble(request, opened, answer)
    errors = answer.field_errors()
    refused = errors.get("text") or answer.detail or "The message was not accepted."
    return await _thread_page(
        request, conn, opened, person, referral_id, 422, errors={"text": refused}, text=text
    )
