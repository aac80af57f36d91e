"""What every page needs: the portal's context, the browser's session, CSRF, templates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.portal.adapters.network import Answer, Identity, Network
from services.portal.adapters.oidc import OidcProviders
from services.portal.domain.errors import CsrfRefused, SessionEnded
from services.portal.domain.people import Person
from services.portal.domain.sessions import Stage
from services.portal.service_layer.commands import sessions as session_commands
from services.portal.service_layer.commands.sessions import Opened, Rules
from services.portal.settings import PortalSettings
from warmlink.auth import PERSON_PREFIX, Caller
from warmlink.db import Connection

COOKIE = "warmlink_session"
_DICT_ATTRIBUTES = frozenset(dir(dict))


class DictKeysFirst(Environment):
    """`item.field` where `item` is a dict (what every API answer a page shows is) reads the key
    without raising first. Jinja tries `getattr` and falls back to the key on AttributeError;
    those exceptions were a tenth of the worklist page's CPU (py-spy, bench-portal). A dict's
    only attributes are dict's own, so for any other name the key is what Jinja would find."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


TEMPLATES = Jinja2Templates(
    env=DictKeysFirst(
        loader=FileSystemLoader(Path(__file__).parents[1] / "assets" / "templates"),
        autoescape=select_autoescape(),
    )
)
# Every page: nothing from elsewhere, no inline script or style, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass
class PortalContext:
    settings: PortalSettings
    rules: Rules
    network: Network
    clock: Callable[[], datetime]
    oidc: OidcProviders

    def now(self) -> datetime:
        return self.clock()


def system_clock() -> datetime:
    return datetime.now(UTC)


def portal(request: Request) -> PortalContext:
    ctx: PortalContext = request.app.state.portal
    return ctx


class SignInFirst(Exception):
    """No signed-in session: the page answers with the sign-in page (why, if it just ended)."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


def identity(person: Person) -> Identity:
    return Identity(str(person.id), person.organization_id, person.role)


async def session_of(conn: Connection, request: Request, ctx: PortalContext) -> Opened | None:
    """The browser's session, touched; SignInFirst if it has just ended (the ending recorded,
    the page says why)."""
    try:
        return await session_commands.current(
            conn, ctx.rules, request.cookies.get(COOKIE), ctx.now()
        )
    except SessionEnded as ended:
        raise SignInFirst(ended.reason) from None


def as_caller(person: Person) -> Caller:
    """The signed-in person as the audit log names a caller: person:<id> and her roles (no
    client acts for her: she is at the portal itself)."""
    return Caller(
        PERSON_PREFIX + str(person.id), person.organization_id, person.access_role, person.role
    )


async def signed_in(conn: Connection, request: Request) -> tuple[Opened, Person]:
    ctx = portal(request)
    opened = await session_of(conn, request, ctx)
    if opened is None or opened.session.stage is not Stage.SIGNED_IN or opened.person is None:
        raise SignInFirst()
    return opened, opened.person


async def form_of(request: Request, opened: Opened | None) -> dict[str, str]:
    """The posted form, once its CSRF token matched the session's (synchronizer token)."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if opened is None or not opened.session.csrf_matches(fields.get("csrf_token")):
        raise CsrfRefused()
    return fields


def page(
    request: Request,
    template: str,
    opened: Opened | None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    person = opened.person if opened and opened.session.stage is Stage.SIGNED_IN else None
    context = {
        "person": person,
        "csrf": opened.session.csrf_token if opened else "",
        **values,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    if opened is not None:
        keep_cookie(response, opened, portal(request).settings)
    return response


def keep_cookie(response: Response, opened: Opened, settings: PortalSettings) -> None:
    response.set_cookie(
        COOKIE,
        opened.session_id,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def see_other(url: str, opened: Opened | None = None, request: Request | None = None) -> Response:
    response = RedirectResponse(url, status_code=303)
    if opened is not None and request is not None:
        keep_cookie(response, opened, portal(request).settings)
    return response


async def reachable(call: Awaitable[Answer]) -> Answer | None:
    """A service's answer, or None when it cannot be reached (the page says so instead)."""
    try:
        return await call
    except httpx.HTTPError:
        return None


def ask_referral(
    ctx: PortalContext, person: Person, method: str, path: str, body: object = None, **headers: str
) -> Awaitable[Answer | None]:
    """The referral service's answer for her, or None when it cannot be reached."""
    return reachable(ctx.network.referral(identity(person), method, path, body, **headers))


def ask_followup(
    ctx: PortalContext, person: Person, path: str, method: str = "GET", body: object = None
) -> Awaitable[Answer | None]:
    """The follow-up service's answer for her, or None when it cannot be reached."""
    return reachable(ctx.network.followup(identity(person), path, method, body))


def ask_directory(
    ctx: PortalContext, person: Person, path: str, method: str = "GET", body: object = None
) -> Awaitable[Answer | None]:
    """The directory's answer for her, or None when it cannot be reached."""
    return reachable(ctx.network.directory(identity(person), path, method, body))
