"""Wires the portal: settings, migrations, pages, the people API, its own error pages.
It consumes no events and publishes none."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from services.portal.adapters.network import Network
from services.portal.domain.errors import CsrfRefused
from services.portal.entrypoints import handoff, people, referrals, screens, sign_in, worklist
from services.portal.entrypoints.deps import (
    SECURITY_HEADERS,
    PortalContext,
    SignInFirst,
    page,
    see_other,
    system_clock,
)
from services.portal.service_layer.commands import Rules
from services.portal.settings import PortalSettings
from services.portal.workers import session_sweep
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = PortalSettings
ASSETS = Path(__file__).parent / "assets"
STYLESHEET = ASSETS / "portal.css"


def spec(settings: PortalSettings, clock: Callable[[], datetime] = system_clock) -> ServiceSpec:
    async def start(app: FastAPI, runtime: Runtime) -> None:
        rules = Rules(settings.keyring(), settings.session_policy(), settings.lockout_policy())
        network = Network(settings)
        app.state.portal = PortalContext(settings, rules, network, clock)
        runtime.closers.append(network.close)
        sweep = session_sweep.run(runtime.pool, settings, clock)
        runtime.background.append(supervise("session-sweep", sweep))

    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        # /screens/new before /screens/{screening_id}: a path that is not a UUID is not a screen.
        routers=[
            sign_in.router,
            screens.router,
            worklist.router,
            handoff.router,
            referrals.router,
            people.router,
            people.api,
        ],
        title="Warmlink portal",
        on_startup=[start],
    )


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def build_app(
    settings: PortalSettings | None = None, clock: Callable[[], datetime] = system_clock
) -> FastAPI:
    app = create_app(spec(settings or PortalSettings(), clock))
    app.add_middleware(SecurityHeaders)

    @app.get("/assets/portal.css", include_in_schema=False)
    async def stylesheet() -> FileResponse:
        return FileResponse(STYLESHEET, media_type="text/css")

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInFirst)
        return see_other(f"/sign-in?ended={exc.reason}" if exc.reason else "/sign-in")

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CsrfRefused)
        return page(request, "message.html", None, 403, title="Form expired", message=exc.detail)

    app.add_exception_handler(SignInFirst, sign_in_first)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    return app
