"""The intake coordinator's steps on a referral, each one POST from its page: a one-click
button (acknowledge, attended, missed) or a short form (contact attempt, book, cancel and
re-book, decline, close once she attended). After a step the referral's page shows its new
status; a refused form comes back beside its fields, with what was typed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.network import Answer
from services.portal.domain import inbox, intake_forms
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    ask_referral,
    form_of,
    page,
    portal,
    see_other,
    signed_in,
)
from services.portal.entrypoints.inbox import clinicians, not_for_this_role, referral_page
from services.portal.entrypoints.worklist import UNREACHABLE
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import Connection, ConnectionDep

router = APIRouter(tags=["pages"])
# Steps without a form: the referral service's path for each.
ONE_CLICK = {"acknowledge": "acknowledge", "attended": "attended", "missed": "missed"}


async def _ask(
    request: Request, person: Person, referral_id: UUID, path: str, body: Any
) -> Answer | None:
    return await ask_referral(
        portal(request), person, "POST", f"/v1/intake/{referral_id}/{path}", body
    )


async def _step(request: Request, conn: Connection, referral_id: UUID, step: str) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not inbox.keeps_inbox(person):
        return not_for_this_role(request, opened)
    body: dict[str, Any] | None
    errors: dict[str, str] = {}
    cancel: dict[str, Any] | None = None
    if step in ONE_CLICK:
        body = None
    elif step == "contact":
        body, errors = intake_forms.contact_attempt(form)
    elif step == "decline":
        body, errors = intake_forms.decline(form)
    elif step == "close":
        body, errors = intake_forms.closing(form)
    else:  # schedule, or rebook: the cancellation and the new booking, checked before either
        ctx = portal(request)
        zone = ctx.settings.zone()
        body, errors = intake_forms.booking(
            form, zone, set(await clinicians(conn, request, person))
        )
        if step == "rebook":
            cancel, cancel_errors = intake_forms.cancellation(form)
            errors |= cancel_errors
    typed = {k: v for k, v in form.items() if k != "csrf_token"}
    if errors:
        return await referral_page(
            request, conn, opened, person, referral_id, 422, errors=errors, typed=typed, form=step
        )
    if cancel is not None:
        cancelled = await _ask(request, person, referral_id, "cancel-appointment", cancel)
        if cancelled is None or not cancelled.ok:
            return await _refused(
                request, conn, opened, person, referral_id, step, cancelled, typed
            )
    path = ONE_CLICK.get(step) or {"contact": "contact-attempts", "rebook": "schedule"}.get(
        step, step
    )
    answer = await _ask(request, person, referral_id, path, body)
    if answer is None or not answer.ok:
        # After a re-booking's cancellation went through, the page offers "Book" instead.
        shown = "schedule" if cancel is not None else step
        return await _refused(request, conn, opened, person, referral_id, shown, answer, typed)
    return see_other(f"/inbox/{referral_id}?done={step}", opened, request)


async def _refused(
    request: Request,
    conn: Connection,
    opened: Opened,
    person: Person,
    referral_id: UUID,
    step: str,
    answer: Answer | None,
    typed: dict[str, str],
) -> Response:
    """The referral service said no (or did not answer): why, beside the field it names, or at
    the top of the step's form; the page reloaded shows the status it has now."""
    if answer is None:
        errors, status = {"step": UNREACHABLE}, 502
    else:
        errors = intake_forms.api_errors(answer.field_errors(), step)
        errors = errors or {"step": answer.detail or "The referral service refused this step."}
        status = answer.status if 400 <= answer.status < 500 else 502
    return await referral_page(
        request, conn, opened, person, referral_id, status, errors=errors, typed=typed, form=step
    )


@router.post("/inbox/{referral_id}/{step}")
async def intake_step(
    referral_id: UUID, step: str, request: Request, conn: ConnectionDep
) -> Response:
    if step not in {*ONE_CLICK, "contact", "schedule", "rebook", "decline", "close"}:
        opened, _ = await signed_in(conn, request)
        message = "There is no such step."
        return page(request, "message.html", opened, 404, title="Not found", message=message)
    return await _step(request, conn, referral_id, step)
