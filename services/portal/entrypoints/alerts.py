"""/alerts: a person's alert choices (a channel per kind, quiet hours, time zone, daily digest,
her work number for SMS), her recent alerts with how each was delivered, and for the network's
administrators the deliveries failing across the network."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import alert_choices
from services.portal.domain.alert_choices import Choices
from services.portal.domain.alerts import KINDS, AlertKind, Channel, kinds_for
from services.portal.domain.people import Person
from services.portal.entrypoints.deps import form_of, page, portal, see_other, signed_in
from services.portal.service_layer.commands import alerts as commands
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import Connection, ConnectionDep

router = APIRouter(tags=["pages"])
CHANNELS = [(Channel.EMAIL, "Email"), (Channel.SMS, "SMS"), (Channel.NONE, "None")]


def _values(c: Choices) -> dict[str, str]:
    """The stored choices as the form's fields."""
    values = {alert_choices.field(k): ch.value for k, ch in c.channels.items()}
    return values | {
        "quiet_from": c.quiet_from.strftime("%H:%M") if c.quiet_from else "",
        "quiet_until": c.quiet_until.strftime("%H:%M") if c.quiet_until else "",
        "time_zone": c.time_zone,
        "digest": "yes" if c.digest else "",
        "phone": c.phone or "",
    }


async def _alerts_page(
    request: Request,
    conn: Connection,
    opened: Opened,
    person: Person,
    values: dict[str, str],
    status_code: int = 200,
    **extra: Any,
) -> Response:
    kinds = kinds_for(person.role)
    return page(
        request,
        "alerts.html",
        opened,
        status_code,
        title="Alerts",
        kinds=[(k, KINDS[k], alert_choices.field(k)) for k in kinds],
        labels={k.value: KINDS[k].label for k in AlertKind},
        channels=CHANNELS,
        zones=alert_choices.ZONES,
        values=values,
        recent=await commands.recent_alerts(conn, person),
        failing=await commands.failing_alerts(conn, person),
        network_admin=commands.sees_network_failures(person),
        **extra,
    )


@router.get("/alerts")
async def alerts_page(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    ctx = portal(request)
    zone = ctx.settings.network_time_zone
    chosen = await commands.choices_of(conn, ctx.rules.keyring, person, zone)
    notice = (
        "Saved: your alerts follow these choices." if request.query_params.get("saved") else None
    )
    return await _alerts_page(request, conn, opened, person, _values(chosen), notice=notice)


@router.post("/alerts")
async def choose_alerts(request: Request, conn: ConnectionDep) -> Response:
    opened, person = await signed_in(conn, request)
    form = await form_of(request, opened)
    chosen, errors = alert_choices.read(form)
    if chosen is None:
        return await _alerts_page(request, conn, opened, person, form, 422, errors=errors)
    async with conn.transaction():
        await commands.choose_alerts(conn, portal(request).rules.keyring, person, chosen)
    return see_other("/alerts?saved=1")
