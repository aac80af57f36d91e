"""Wires the referral service: worklist, warm handoffs, intake, and their consumers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from services.referral.adapters import patient_notifications
from services.referral.adapters.directory_client import DirectoryClient
from services.referral.adapters.notifications import Notifier, notifier_from_settings
from services.referral.adapters.patient_notifications import ConfirmationSender
from services.referral.entrypoints import fhir, intake, referrals
from services.referral.entrypoints.deps import ReferralContext
from services.referral.entrypoints.http import router as worklist_router
from services.referral.followup_handlers import (
    on_follow_up_completed,
    on_follow_up_noted,
    on_sla_breached,
)
from services.referral.handlers import on_screen_positive
from services.referral.settings import ReferralSettings
from services.referral.subscriptions.entrypoints.routes import router as subscriptions_router
from services.referral.subscriptions.service_layer.events import on_status_change
from services.referral.subscriptions.workers.startup import start_subscriptions
from warmlink.consumer import Subscription
from warmlink.db import Executor
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

WORKLIST = Subscription("referral.worklist", {"ScreenPositive": on_screen_positive})
# Its own consumer group: the follow-up topic is read from the start, apart from the screens.
FOLLOWUP = Subscription(
    "referral.followup",
    {
        "SlaBreached": on_sla_breached,
        "FollowUpCompleted": on_follow_up_completed,
        "FollowUpDue": on_follow_up_noted,
        "GateAlertRaised": on_follow_up_noted,
    },
    background=True,  # coordinators' tasks: 0.1 s later is no later
)
Settings = ReferralSettings


async def referral_context(app: FastAPI, runtime: Runtime) -> None:
    settings: ReferralSettings = runtime.settings  # type: ignore[assignment]
    keyring = settings.keyring()

    async def queue_confirmation(conn: Executor, referral: Any, practice: Any, body: Any) -> None:
        await patient_notifications.queue(
            conn,
            keyring,
            settings.notify_channel,
            referral,
            practice,
            body.patient.email,
            body.patient.phone,
        )

    directory = DirectoryClient(
        settings.directory_url,
        settings.directory_timeout_s,
        settings.holidays(),
        settings.acknowledgement_rule(),
    )
    runtime.closers.append(directory.close)
    app.state.referral_context = ReferralContext(
        keyring=keyring,
        directory=directory,
        queue_confirmation=queue_confirmation,
        listeners=[on_status_change],
    )
    if settings.notify_channel != "none":
        sender = ConfirmationSender(runtime.pool, keyring, _notifier(settings))
        runtime.background.append(supervise("patient-confirmations", sender.run()))


def _notifier(settings: ReferralSettings) -> Notifier:
    if settings.notify_channel == "smtp":
        return notifier_from_settings(
            "smtp", host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_sender
        )
    key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else ""
    return notifier_from_settings("sms", url=settings.sms_url, api_key=key)


def build_app(settings: ReferralSettings | None = None) -> FastAPI:
    settings = settings or ReferralSettings()
    return create_app(
        ServiceSpec(
            settings=settings,
            migrations=Path(__file__).parent / "migrations",
            routers=[
                worklist_router,
                referrals.router,
                intake.router,
                fhir.router,
                subscriptions_router,
            ],
            subscriptions=[WORKLIST, FOLLOWUP],
            title="Warmlink referral",
            on_startup=[referral_context, start_subscriptions],
        )
    )
