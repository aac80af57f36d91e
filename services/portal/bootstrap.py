"""Wires the portal: settings, migrations, pages, the people API, its own error pages, and the
alerts: one consumer group (service_layer/events.py) and their sender. It publishes no events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.portal.adapters import sealed_columns
from services.portal.adapters.network import Network
from services.portal.adapters.oidc import OidcProviders
from services.portal.adapters.sms import HttpSms, NoSms, SmsToMailSink
from services.portal.adapters.status_facts import StatusFacts
from services.portal.domain import return_to
from services.portal.domain.errors import CsrfRefused
from services.portal.entrypoints import (
    access,
    alerts,
    capacity,
    coordination,
    dev_mailbox,
    handoff,
    identity_providers,
    inbox,
    intake_steps,
    invitations,
    monthly_review,
    network_console,
    organization_sign_in,
    partners,
    people,
    referrals,
    screens,
    sign_in,
    status_page,
    thread,
    worklist,
)
from services.portal.entrypoints.deps import (
    SECURITY_HEADERS,
    PortalContext,
    SignInFirst,
    page,
    see_other,
    system_clock,
)
from services.portal.service_layer import events
from services.portal.service_layer.commands.sessions import Rules
from services.portal.settings import PortalSettings
from services.portal.workers import alert_sender, outgoing_mail, session_sweep
from warmlink.mail import SmtpSender
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = PortalSettings
ASSETS = Path(__file__).parent / "assets"
STYLESHEET = ASSETS / "portal.css"


def spec(settings: PortalSettings, clock: Callable[[], datetime] = system_clock) -> ServiceSpec:
    async def start(app: FastAPI, runtime: Runtime) -> None:
        rules = Rules(settings.keyring(), settings.session_policy(), settings.lockout_policy())
        network = Network(settings)
        keep = timedelta(seconds=settings.oidc_keep_s)
        oidc = OidcProviders(settings.api_timeout_s, keep, settings.allows_http_issuers)
        app.state.portal = PortalContext(settings, rules, network, clock, oidc)
        runtime.closers += [network.close, oidc.close]
        facts = StatusFacts(settings)
        app.state.status_pages = status_page.StatusPages(facts, settings.status_page_per_minute)
        runtime.closers.append(facts.close)
        sweep = partial(session_sweep.run, runtime.pool, settings, clock)
        runtime.background.append(supervise("session-sweep", sweep))
        mail = outgoing_mail.MailSender(
            runtime.background_pool,
            rules.keyring,
            smtp_sender(settings),
            clock,
            settings.mail_poll_s,
        )
        runtime.background.append(supervise("outgoing-mail", mail.run))
        sender = alert_sender.AlertSender(
            runtime.background_pool,
            rules.keyring,
            smtp_sender(settings),
            sms_sender(settings),
            settings.base_url,
            clock,
            settings.alerts_poll_s,
        )
        runtime.background.append(supervise("alert-sender", sender.run))

    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        sealed=sealed_columns.SEALED,
        # The people API (JSON, bearer tokens) is documented; the pages are not (docs/api.md).
        routers=[people.api, identity_providers.api],
        # /screens/new before /screens/{screening_id}: a path that is not a UUID is not a screen.
        pages=[
            sign_in.router,
            organization_sign_in.router,
            screens.router,
            worklist.router,
            handoff.router,
            partners.router,
            referrals.router,
            people.router,
            invitations.router,
            dev_mailbox.router,
            access.router,
            inbox.router,
            intake_steps.router,
            capacity.router,
            thread.router,
            coordination.router,
            monthly_review.router,
            network_console.router,
            alerts.router,
            status_page.router,
        ],
        subscriptions=events.subscriptions(settings.zone(), settings.alerts_digest_at, clock),
        title="Warmlink portal",
        on_startup=[start],
    )


def smtp_sender(settings: PortalSettings) -> SmtpSender:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_sender,
        settings.smtp_username,
        password,
        settings.smtp_starttls,
    )


def sms_sender(settings: PortalSettings) -> alert_sender.Sms:
    if settings.alerts_sms_url:
        key = settings.alerts_sms_api_key
        return HttpSms(settings.alerts_sms_url, key.get_secret_value() if key else "")
    if settings.dev_mailbox_dir is not None:
        return SmsToMailSink(smtp_sender(settings))
    return NoSms()


class SecurityHeaders:
    """Plain ASGI, not BaseHTTPMiddleware: that one runs every response through a task and a
    stream of its own, which cost more per request than serving the stylesheet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def build_app(
    settings: PortalSettings | None = None, clock: Callable[[], datetime] = system_clock
) -> FastAPI:
    settings = settings or PortalSettings()
    app = create_app(spec(settings, clock))
    app.add_middleware(SecurityHeaders)

    # Read once: FileResponse opened, read and closed the file in worker threads on every
    # request, four thread hand-offs that were most of the stylesheet's CPU (py-spy). Every
    # answer is Cache-Control: no-store, so its ETag and Last-Modified served no one.
    css = STYLESHEET.read_bytes()

    @app.get("/assets/portal.css", include_in_schema=False)
    async def stylesheet() -> Response:
        return Response(css, media_type="text/css")

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInFirst)
        response = see_other(f"/sign-in?ended={exc.reason}" if exc.reason else "/sign-in")
        wanted = return_to.requested(request.url.path, request.url.query)
        if request.method == "GET" and wanted is not None:
            response.set_cookie(
                return_to.COOKIE,
                wanted,
                max_age=return_to.MAX_AGE_S,
                httponly=True,
                secure=settings.cookie_secure,
                samesite="strict",
                path="/",
            )
        return response

    async def csrf_refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CsrfRefused)
        return page(request, "message.html", None, 403, title="Form expired", message=exc.detail)

    app.add_exception_handler(SignInFirst, sign_in_first)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    return app
