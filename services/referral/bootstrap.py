"""Wires the referral service: worklist, warm handoffs, intake, and their consumers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from services.referral.adapters import sealed_columns
from services.referral.adapters.directory_client import DirectoryClient
from services.referral.adapters.directory_token import DirectoryToken
from services.referral.adapters.notifications import Notifier, notifier_from_settings
from services.referral.domain.auto_redirect import RedirectPolicy
from services.referral.domain.referral import PatientDetails
from services.referral.entrypoints import (
    access,
    discharge,
    documents,
    fhir,
    intake,
    patient_message,
    patient_status,
    referrals,
    site_referrals,
    thread,
    worklist,
)
from services.referral.entrypoints.deps import ReferralContext
from services.referral.service_layer import events
from services.referral.service_layer.commands.patient_messages import (
    PatientMessaging,
    plan_first_messages,
)
from services.referral.settings import ReferralSettings
from services.referral.subscriptions.adapters.ops import webhook_metrics
from services.referral.subscriptions.entrypoints.routes import router as subscriptions_router
from services.referral.subscriptions.service_layer.events import on_status_change
from services.referral.subscriptions.workers.startup import start_subscriptions
from services.referral.workers.auto_redirect import AutoRedirector
from services.referral.workers.patient_confirmations import ConfirmationSender
from warmlink.db import Executor
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = ReferralSettings
log = logging.getLogger(__name__)


async def referral_context(app: FastAPI, runtime: Runtime) -> None:
    settings: ReferralSettings = runtime.settings  # type: ignore[assignment]
    keyring = settings.keyring()

    messaging = PatientMessaging(settings.patient_channels(), settings.portal_url)

    async def queue_confirmation(conn: Executor, referral: Any, practice: Any, body: Any) -> None:
        patient = PatientDetails(**body.patient.model_dump(mode="python"))
        await plan_first_messages(
            conn, keyring, messaging, referral, practice, patient, now=referral.submitted_at
        )

    directory = DirectoryClient(
        settings.directory_url,
        settings.directory_timeout_s,
        settings.holidays(),
        settings.acknowledgement_rule(),
        settings.directory_listing_keep_s,
    )
    runtime.closers.append(directory.close)
    app.state.referral_context = ReferralContext(
        keyring=keyring,
        directory=directory,
        queue_confirmation=queue_confirmation,
        listeners=[on_status_change],
        appointment_within_days=settings.appointment_within_days,
        document_max_bytes=settings.document_max_bytes,
        redirects=settings.auto_redirects(),
        patient_channel=settings.notify_channel,
        patient_messaging=messaging,
    )
    _start_auto_redirects(runtime, settings, directory, app.state.referral_context)
    if messaging.channels:
        notifiers = {channel: _notifier(settings, channel) for channel in messaging.channels}
        sender = ConfirmationSender(runtime.background_pool, keyring, notifiers)
        runtime.background.append(supervise("patient-confirmations", sender.run))


def _start_auto_redirects(
    runtime: Runtime, settings: ReferralSettings, directory: DirectoryClient, ctx: ReferralContext
) -> None:
    """The network's own redirects: needs its directory credential to look up matches."""
    credentials = settings.directory_credentials()
    if credentials is None:
        if settings.redirect_policy is not RedirectPolicy.MANUAL:
            log.warning(
                "REFERRAL_REDIRECT_POLICY is %s but no directory credential is configured "
                "(REFERRAL_DIRECTORY_CLIENT_ID/_SECRET): redirects stay manual",
                settings.redirect_policy,
            )
        return
    if not ctx.redirects.on:
        return
    token = DirectoryToken(settings.directory_url, *credentials, settings.directory_timeout_s)
    redirector = AutoRedirector(
        runtime.pool,
        directory,
        token,
        settings.appointment_within_days,
        ctx.listeners,
        settings.redirect_poll_s,
    )
    runtime.background.append(supervise("auto-redirects", redirector.run))


def _notifier(settings: ReferralSettings, channel: str) -> Notifier:
    if channel == "smtp":
        return notifier_from_settings(
            "smtp",
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            starttls=settings.smtp_starttls,
            implicit_tls=settings.smtp_implicit_tls,
            cafile=settings.smtp_cafile,
        )
    key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else ""
    return notifier_from_settings("sms", url=settings.sms_url, api_key=key)


def spec(settings: ReferralSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        sealed=sealed_columns.SEALED,
        routers=[
            worklist.router,
            site_referrals.router,
            referrals.router,
            access.router,
            patient_message.router,
            patient_status.router,
            intake.router,
            documents.router,
            discharge.router,
            fhir.router,
            thread.router,
            subscriptions_router,
        ],
        subscriptions=events.subscriptions(settings),
        collectors=[webhook_metrics],
        title="Warmlink referral",
        on_startup=[referral_context, start_subscriptions],
    )


def build_app(settings: ReferralSettings | None = None) -> FastAPI:
    return create_app(spec(settings or ReferralSettings()))
