"""Wires the referral service: worklist, warm handoffs, intake, and their consumers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.referral.adapters.directory_client import DirectoryClient
from services.referral.entrypoints import intake, referrals
from services.referral.entrypoints.deps import ReferralContext
from services.referral.entrypoints.http import router as worklist_router
from services.referral.handlers import on_screen_positive
from services.referral.settings import ReferralSettings
from warmlink.consumer import Subscription
from warmlink.service import Runtime, ServiceSpec, create_app

WORKLIST = Subscription("referral.worklist", {"ScreenPositive": on_screen_positive})
Settings = ReferralSettings


async def referral_context(app: FastAPI, runtime: Runtime) -> None:
    settings: ReferralSettings = runtime.settings  # type: ignore[assignment]
    app.state.referral_context = ReferralContext(
        keyring=settings.keyring(),
        directory=DirectoryClient(settings.directory_url, settings.directory_timeout_s),
    )


def build_app(settings: ReferralSettings | None = None) -> FastAPI:
    settings = settings or ReferralSettings()
    return create_app(
        ServiceSpec(
            settings=settings,
            migrations=Path(__file__).parent / "migrations",
            routers=[worklist_router, referrals.router, intake.router],
            subscriptions=[WORKLIST],
            title="Warmlink referral",
            on_startup=[referral_context],
        )
    )
