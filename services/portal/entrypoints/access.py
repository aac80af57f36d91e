"""Who saw or changed a referral: the referral service's access log (and the screening
service's, for the screen it answers) as a page, for the referring site's coordinator and the
network's people; the network's people can look any referral up by its id. Anyone else is told
there is no such referral, as the services tell them."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters.network import Answer, Identity, Network
from services.portal.adapters.people_emails import emails_of
from services.portal.domain import access
from services.portal.entrypoints.deps import (
    identity,
    page,
    portal,
    reachable,
    see_other,
    signed_in,
)
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
TITLE = "Who saw or changed this referral"
PAGE_SIZE = 50
UNREACHABLE = "The referral service did not answer. Try again in a moment."
NOT_THERE = "There is no such referral, or its log is not yours to see."
LOOKUP_ONLY = "Looking a referral up by its id is for the network's administrators."


def _cursor(next_link: str | None) -> str | None:
    """The cursor of the API's `next` link, for the page's own "older entries" link."""
    if not next_link:
        return None
    return parse_qs(urlsplit(next_link).query).get("before", [None])[0]


async def _screen_log(network: Network, who: Identity, screening_id: Any) -> Answer | None:
    if screening_id is None:
        return None
    return await reachable(network.screening(who, "GET", f"/v1/screenings/{screening_id}/access"))


@router.get("/referrals/{referral_id}/access")
async def access_page(referral_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    ctx, who = portal(request), identity(person)
    before = request.query_params.get("before")
    path = f"/v1/referrals/{referral_id}/access?limit={PAGE_SIZE}"
    if before:
        path += "&before=" + quote(before, safe="")
    answer = await reachable(ctx.network.referral(who, "GET", path))
    if answer is None or answer.status >= 500:
        return page(request, "message.html", opened, 502, title=TITLE, message=UNREACHABLE)
    if not answer.ok:  # 404: not there or not hers; 422: a cursor this page never gave
        status = 404 if answer.status == 404 else 422
        return page(request, "message.html", opened, status, title=TITLE, message=NOT_THERE)
    log = answer.body
    # The screen's log on the first page only: it is short, and paged by the newest.
    screen = None if before else await _screen_log(ctx.network, who, log["screening_id"])
    screen_entries = screen.body["items"] if screen is not None and screen.ok else []
    named = access.person_ids(log["items"] + screen_entries)
    emails = await emails_of(conn, named)
    zone = ctx.settings.zone()
    older = _cursor(log["next"])
    return page(
        request,
        "access.html",
        opened,
        title=TITLE,
        referral_id=str(referral_id),
        rows=access.rows(log["items"], emails, zone),
        screening_id=log["screening_id"],
        screen_rows=access.rows(screen_entries, emails, zone),
        screen_unreadable=screen is not None and not screen.ok,
        first_page=not before,
        older=f"/referrals/{referral_id}/access?before={quote(older, safe='')}" if older else None,
        lookup=access.looks_up_any_referral(person.access_role),
        values={},
    )


@router.get("/referral-access")
async def look_up(request: Request, conn: ConnectionDep) -> Response:
    """The network administrator's form: a referral id, then that referral's log."""
    opened, person = await signed_in(conn, request)
    if not access.looks_up_any_referral(person.access_role):
        return page(request, "message.html", opened, 403, title=TITLE, message=LOOKUP_ONLY)
    typed = request.query_params.get("referral_id")
    if typed is None:
        return page(request, "access_lookup.html", opened, title="Look up a referral", values={})
    referral_id = access.referral_id_of(typed)
    if referral_id is None:
        errors = {"referral_id": "Enter the referral's id as it is shown, such as 0190c1d2-…"}
        return page(
            request,
            "access_lookup.html",
            opened,
            422,
            title="Look up a referral",
            values={"referral_id": typed},
            errors=errors,
        )
    return see_other(f"/referrals/{referral_id}/access", opened, request)
