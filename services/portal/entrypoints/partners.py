"""The site coordinator's referral partners: the directory's practices, her site's preferred
ones ticked; saved to the directory, which puts those that fit first in her site's matches."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import partners
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import form_of, identity, page, portal, see_other, signed_in
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
UNREACHABLE = "The directory did not answer. Nothing was changed: try again in a moment."


def _path(person: Person) -> str:
    return f"/v1/organizations/{quote(person.organization_id, safe='')}/preferred-practices"


def _not_hers(request: Request, opened: Opened) -> Response:
    message = "Referral partners are chosen by the site's coordinator."
    return page(request, "message.html", opened, 403, title="Partners", message=message)


async def _partners_page(
    request: Request,
    opened: Opened,
    person: Person,
    status_code: int = 200,
    ticked: list[str] | None = None,
    **extra: object,
) -> Response:
    """The form; `ticked` (a refused save) keeps what she ticked instead of what is stored."""
    ctx, who = portal(request), identity(person)
    everyone, kept = await asyncio.gather(
        ctx.network.directory(who, "/v1/organizations"), ctx.network.directory(who, _path(person))
    )
    if not (everyone.ok and kept.ok):
        return page(request, "message.html", opened, 502, title="Partners", message=UNREACHABLE)
    return page(
        request,
        "partners.html",
        opened,
        status_code,
        title="Referral partners",
        practices=partners.choices(
            everyone.body, kept.body["practice_ids"] if ticked is None else ticked
        ),
        field=partners.FIELD,
        **extra,
    )


@router.get("/partners")
async def partners_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    if not person.keeps_partners:
        return _not_hers(request, opened)
    notice = (
        "Saved: matches for your site show these first when they fit."
        if (request.query_params.get("saved"))
        else None
    )
    return await _partners_page(request, opened, person, notice=notice)


@router.post("/partners")
async def save_partners(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    if not person.keeps_partners:
        return _not_hers(request, opened)
    chosen = partners.chosen_in(form)
    body = {"practice_ids": chosen}
    answer = await portal(request).network.directory(identity(person), _path(person), "PUT", body)
    if answer.ok:
        return see_other("/partners?saved=1")
    problem = answer.detail or UNREACHABLE
    status = answer.status if 400 <= answer.status < 500 else 502
    return await _partners_page(request, opened, person, status, chosen, problem=problem)
