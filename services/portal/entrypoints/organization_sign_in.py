"""Sign-in through an organization's identity provider: the link on the sign-in page sends the
browser there (authorization code with PKCE), and the callback takes it back.

The session cookie is SameSite=Strict, so a browser coming back from another site's provider
does not send it: the sign-in is bound to the browser by its own cookie, SameSite=Lax (sent on
that top-level return, and only under /sign-in/organization). The new session's cookie is then
set on a page that moves on by itself, so the next request starts on the portal's own site.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.portal.domain import return_to
from services.portal.domain.errors import NoSuchIdentityProvider, OrganizationSignInRefused
from services.portal.domain.organization_sign_in import NOT_SET_UP
from services.portal.domain.sessions import Stage
from services.portal.entrypoints.deps import page, portal, see_other
from services.portal.service_layer.commands import organization_sign_in as sign_in_commands
from warmlink.db import ConnectionDep

router = APIRouter(tags=["pages"])
PATH = "/sign-in/organization"
BINDING_COOKIE = "warmlink_sign_in"
TITLE = "Sign-in did not complete"


def not_set_up(request: Request) -> Response:
    """Production without PORTAL_PUBLIC_URL: no provider could send anyone back."""
    why = OrganizationSignInRefused("not_set_up", NOT_SET_UP)
    return page(request, "organization_refused.html", None, 503, title=TITLE, why=why)


@router.get(f"{PATH}/callback")
async def come_back(request: Request, conn: ConnectionDep) -> Response:
    ctx, query = portal(request), request.query_params
    back = sign_in_commands.ProviderReturn(
        state=query.get("state", ""),
        binding=request.cookies.get(BINDING_COOKIE),
        code=query.get("code"),
        error=query.get("error"),
    )
    lasts = timedelta(seconds=ctx.settings.organization_sign_in_within_s)
    redirect_uri = ctx.settings.redirect_uri
    if redirect_uri is None:
        return not_set_up(request)
    refused: OrganizationSignInRefused | None = None
    async with conn.transaction():  # a refusal commits too: the state is used, the event kept
        try:
            opened = await sign_in_commands.finish_organization_sign_in(
                conn, ctx.rules, ctx.oidc, back, redirect_uri, lasts, ctx.now()
            )
        except OrganizationSignInRefused as why:
            refused = why
    if refused is not None:
        status = 502 if refused.outcome == "provider_down" else 401
        response = page(
            request, "organization_refused.html", None, status, title=TITLE, why=refused
        )
    else:
        landing = return_to.landing(request.cookies.get(return_to.COOKIE))
        onward = landing if opened.session.stage is Stage.SIGNED_IN else "/sign-in/code"
        response = page(
            request, "organization_onward.html", opened, title="Signing in", onward=onward
        )
    response.delete_cookie(BINDING_COOKIE, path=PATH)
    return response


@router.get(PATH + "/{provider_id}")
async def go_to_provider(provider_id: UUID, request: Request, conn: ConnectionDep) -> Response:
    ctx = portal(request)
    redirect_uri = ctx.settings.redirect_uri
    if redirect_uri is None:
        return not_set_up(request)
    refused: OrganizationSignInRefused | NoSuchIdentityProvider | None = None
    async with conn.transaction():  # a refusal commits too: the event is kept
        try:
            url, started = await sign_in_commands.start_organization_sign_in(
                conn, ctx.rules.keyring, ctx.oidc, provider_id, redirect_uri, ctx.now()
            )
        except (OrganizationSignInRefused, NoSuchIdentityProvider) as why:
            refused = why
    if refused is not None:
        status = 404 if isinstance(refused, NoSuchIdentityProvider) else 502
        return page(request, "organization_refused.html", None, status, title=TITLE, why=refused)
    response = see_other(url)
    response.set_cookie(
        BINDING_COOKIE,
        started.binding,
        max_age=ctx.settings.organization_sign_in_within_s,
        httponly=True,
        secure=ctx.settings.cookie_secure,
        samesite="lax",
        path=PATH,
    )
    return response
