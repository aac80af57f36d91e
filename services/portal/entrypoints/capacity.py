"""A practice's capacity in one click: each of its services' intake figures in plain words, one
"Still right" button per service (the same figures sent to the directory again, so it stamps them
verified now) and a short form to change the open places and the next intake. Intake
coordinators keep the figures; the practice's clinicians read them. The figures are the
directory's (its listing, its capacity PUT with her token): the portal stores none.

The inbox shows the same, compactly (`_inbox_capacity.html`, filled by `capacity_for_inbox`);
each form sends her back to the page it came from (`back`, a local path only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.network import Answer
from services.portal.domain import capacity as view
from services.portal.domain.capacity import CapacityChange, CapacityPanel
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import (
    form_of,
    identity,
    page,
    portal,
    reachable,
    see_other,
    signed_in,
)
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
PAGE = "/capacity"
UNREACHABLE = "The directory did not answer. Nothing was changed: try again in a moment."
NOT_YOURS = "Your practice has no such service."
# The directory's pointers into its capacity body, as the short form's fields.
FIELD_OF = {
    "available": "available",
    "maximum": "available",
    "next_available_intake": "next_intake",
}


def _not_for_this_role(request: Request, opened: Opened) -> Response:
    message = "A receiving practice's intake coordinators and clinicians see its capacity here."
    return page(request, "message.html", opened, 403, title="Capacity", message=message)


async def _listing(request: Request, person: Person) -> Answer | None:
    """Her practice's listing as the directory has it now (not the portal's minute-old copy:
    she has just confirmed or changed it)."""
    org = quote(person.organization_id, safe="")
    ctx = portal(request)
    return await reachable(
        ctx.network.directory(identity(person), f"/v1/organizations/{org}/listing")
    )


async def capacity_for_inbox(request: Request, person: Person) -> CapacityPanel | None:
    """The inbox's compact capacity (`_inbox_capacity.html` reads it as `capacity`): None for
    someone who does not read her practice's capacity, or when the directory does not answer
    (the inbox stands without it)."""
    if not view.reads_capacity(person.access_role, person.role):
        return None
    listing = await _listing(request, person)
    if listing is None or not listing.ok:
        return None
    services = view.practice_capacity(listing.body, portal(request).now())
    return CapacityPanel(services, view.keeps_capacity(person.access_role, person.role))


async def _capacity_page(
    request: Request,
    opened: Opened,
    person: Person,
    status_code: int = 200,
    **values: Any,
) -> Response:
    listing = await _listing(request, person)
    if listing is None or not listing.ok:
        return page(request, "message.html", opened, 502, title="Capacity", message=UNREACHABLE)
    panel = CapacityPanel(
        view.practice_capacity(listing.body, portal(request).now()),
        view.keeps_capacity(person.access_role, person.role),
    )
    return page(
        request,
        "capacity.html",
        opened,
        status_code,
        title="Capacity",
        capacity=panel,
        practice_name=listing.body.get("name", person.organization_id),
        **values,
    )


NOTICES = {
    "confirmed": "Confirmed: referring sites see these figures as checked today.",
    "changed": "Saved: referring sites see the new figures now.",
}


@router.get(PAGE)
async def capacity_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not view.reads_capacity(person.access_role, person.role):
        return _not_for_this_role(request, opened)
    notice = NOTICES.get(request.query_params.get("done") or "")
    return await _capacity_page(request, opened, person, notice=notice)


class _DirectoryDown(Exception):
    """The directory did not answer: the page says so, and nothing was changed."""


async def _service(request: Request, person: Person, service_id: str) -> dict[str, Any] | None:
    """The service of her practice's listing, as the directory holds it now; None if not hers."""
    listing = await _listing(request, person)
    if listing is None or not listing.ok:
        raise _DirectoryDown()
    return next((s for s in listing.body.get("services") or [] if s["id"] == service_id), None)


def _back(form: dict[str, str], done: str) -> str:
    back = view.local_path(form.get("back"), PAGE)
    return f"{PAGE}?done={done}" if back == PAGE else back


async def _put(
    request: Request, person: Person, service_id: str, figures: dict[str, Any]
) -> Answer | None:
    ctx = portal(request)
    path = f"/v1/services/{quote(service_id, safe='')}/capacity"
    answer = await reachable(ctx.network.directory(identity(person), path, "PUT", figures))
    if answer is not None and answer.ok:
        ctx.network.forget_listing(person.organization_id)
    return answer


@router.post(PAGE + "/{service_id}/confirm")
async def confirm_capacity(service_id: str, request: Request, conn: ConnectionDep) -> Response:
    """ "Still right": the figures the directory holds, sent back unchanged; it stamps them
    verified now, by her."""
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not view.keeps_capacity(person.access_role, person.role):
        return _not_for_this_role(request, opened)
    try:
        service = await _service(request, person, service_id)
    except _DirectoryDown:
        return page(request, "message.html", opened, 502, title="Capacity", message=UNREACHABLE)
    figures = view.figures(service) if service is not None else None
    if service is None or figures is None:
        return page(request, "message.html", opened, 404, title="Capacity", message=NOT_YOURS)
    answer = await _put(request, person, service_id, figures)
    if answer is None or not answer.ok:
        return page(request, "message.html", opened, 502, title="Capacity", message=UNREACHABLE)
    return see_other(_back(form, "confirmed"), opened, request)


@router.post(PAGE + "/{service_id}")
async def change_capacity(service_id: str, request: Request, conn: ConnectionDep) -> Response:
    """The short form: open places and next intake. A refusal is said beside its field, on the
    capacity page, with what she typed kept."""
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not view.keeps_capacity(person.access_role, person.role):
        return _not_for_this_role(request, opened)
    ctx = portal(request)
    change = CapacityChange.of(form)
    typed = {
        "service_id": service_id,
        "available": change.available,
        "next_intake": change.next_intake,
    }
    errors = change.errors(ctx.now().astimezone(ctx.settings.zone()).date())
    if errors:
        return await _capacity_page(request, opened, person, 422, errors=errors, typed=typed)
    try:
        service = await _service(request, person, service_id)
    except _DirectoryDown:
        return page(request, "message.html", opened, 502, title="Capacity", message=UNREACHABLE)
    if service is None:
        return page(request, "message.html", opened, 404, title="Capacity", message=NOT_YOURS)
    answer = await _put(request, person, service_id, change.applied_to(service))
    if answer is None or answer.status >= 500:
        return page(request, "message.html", opened, 502, title="Capacity", message=UNREACHABLE)
    if not answer.ok:
        refused = {FIELD_OF.get(k, "available"): d for k, d in answer.field_errors().items()}
        refused = refused or {"available": answer.detail or "The directory refused the figures."}
        return await _capacity_page(request, opened, person, 422, errors=refused, typed=typed)
    return see_other(_back(form, "changed"), opened, request)
