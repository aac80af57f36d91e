"""Sign-in (password, then a TOTP code; or the links to organizations' own sign-in), home and
sign-out."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.adapters import identity_providers
from services.portal.domain import return_to
from services.portal.domain.errors import LockedOut, SignInRefused
from services.portal.domain.sessions import Stage
from services.portal.entrypoints.deps import (
    PortalContext,
    SignInFirst,
    form_of,
    page,
    portal,
    see_other,
    session_of,
    signed_in,
)
from services.portal.service_layer.commands import sessions as session_commands
from services.portal.service_layer.commands.sessions import Opened
from warmlink.db import Connection, ConnectionDep

router = APIRouter(tags=["pages"])

ENDED = {
    "idle": "You were signed out after 15 minutes without activity.",
    "too_old": "Your session reached its time limit. Please sign in again.",
    "disabled": "Your account was disabled by your organization.",
    "signed_out": "You are signed out.",
    "accepted": "Your account is ready: sign in with your password and a code from your app.",
}


async def organization_links(conn: Connection, ctx: PortalContext) -> list[tuple[UUID, str]]:
    """Each organization's "Sign in with …" link; none when providers cannot send anyone back."""
    return await identity_providers.links(conn) if ctx.settings.redirect_uri else []


async def attempt(
    step: Awaitable[Opened],
) -> tuple[Opened | None, SignInRefused | LockedOut | None]:
    try:
        return await step, None
    except (SignInRefused, LockedOut) as refused:
        return None, refused


async def _sign_in_page(request: Request, conn: ConnectionDep, **values: Any) -> Response:
    ctx = portal(request)
    try:
        opened = await session_of(conn, request, ctx)
    except SignInFirst as ended:
        opened, values = None, {"notice": ENDED.get(ended.reason or ""), **values}
    if opened is not None and opened.session.stage is Stage.SIGNED_IN:
        return see_other("/")
    if opened is None or opened.session.stage is not Stage.ANONYMOUS:
        async with conn.transaction():
            opened = await session_commands.open_session(conn, Stage.ANONYMOUS, ctx.now())
    providers = await organization_links(conn, ctx)
    return page(request, "sign_in.html", opened, title="Sign in", providers=providers, **values)


@router.get("/sign-in")
async def sign_in_form(request: Request, conn: ConnectionDep) -> Response:
    notice = ENDED.get(request.query_params.get("ended") or "")
    return await _sign_in_page(request, conn, notice=notice)


@router.post("/sign-in")
async def sign_in(request: Request, conn: ConnectionDep) -> Response:
    ctx = portal(request)
    opened = await session_of(conn, request, ctx)
    if opened is None or opened.session.stage is not Stage.ANONYMOUS:
        return see_other("/sign-in")
    form = await form_of(request, opened)
    email = form.get("email", "").strip()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address."
    if not form.get("password"):
        errors["password"] = "Enter your password."  # noqa: S105 - a message
    if errors:
        return page(
            request,
            "sign_in.html",
            opened,
            422,
            title="Sign in",
            email=email,
            errors=errors,
            providers=await organization_links(conn, ctx),
        )
    async with conn.transaction():  # a refusal commits too: the failure and lockout are kept
        waiting, refused = await attempt(
            session_commands.check_password(
                conn, ctx.rules, opened, email, form["password"], ctx.now()
            )
        )
    if waiting is None:
        assert refused is not None
        status = 429 if isinstance(refused, LockedOut) else 401
        return page(
            request,
            "sign_in.html",
            opened,
            status,
            title="Sign in",
            email=email,
            errors={"password": refused.detail},
            providers=await organization_links(conn, ctx),
        )
    return see_other("/sign-in/code", waiting, request)


@router.get("/sign-in/code")
async def code_form(request: Request, conn: ConnectionDep) -> Response:
    opened = await session_of(conn, request, portal(request))
    if opened is None or opened.session.stage is not Stage.PASSWORD_OK:
        return see_other("/sign-in")
    return page(request, "sign_in_code.html", opened, title="Enter your code")


@router.post("/sign-in/code")
async def sign_in_code(request: Request, conn: ConnectionDep) -> Response:
    ctx = portal(request)
    opened = await session_of(conn, request, ctx)
    if opened is None or opened.session.stage is not Stage.PASSWORD_OK:
        return see_other("/sign-in")
    form = await form_of(request, opened)
    code = form.get("code", "").strip()
    if not code.isdigit() or len(code) != 6:
        errors = {"code": "Enter the 6-digit code from your authenticator app."}
        return page(
            request, "sign_in_code.html", opened, 422, title="Enter your code", errors=errors
        )
    async with conn.transaction():
        done, refused = await attempt(
            session_commands.check_code(conn, ctx.rules, opened, code, ctx.now())
        )
    if done is None:
        assert refused is not None
        status = 429 if isinstance(refused, LockedOut) else 401
        errors = {"code": refused.detail}
        return page(
            request, "sign_in_code.html", opened, status, title="Enter your code", errors=errors
        )
    response = see_other(return_to.landing(request.cookies.get(return_to.COOKIE)), done, request)
    response.delete_cookie(return_to.COOKIE, path="/")
    return response


@router.get("/")
async def home(request: Request, conn: ConnectionDep) -> Response:
    opened, _ = await signed_in(conn, request)
    return page(request, "home.html", opened, title="Home")


@router.post("/sign-out")
async def sign_out(request: Request, conn: ConnectionDep) -> Response:
    ctx = portal(request)
    opened = await session_of(conn, request, ctx)
    if opened is None:
        return see_other("/sign-in")
    await form_of(request, opened)
    async with conn.transaction():
        await session_commands.sign_out(conn, opened, ctx.now())
    response = see_other("/sign-in?ended=signed_out")
    response.delete_cookie("warmlink_session", path="/")
    return response
