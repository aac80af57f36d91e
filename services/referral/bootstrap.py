"""Wires the referral service: worklist routes and the ScreenPositive consumer."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.referral.entrypoints.http import router
from services.referral.handlers import on_screen_positive
from services.referral.settings import ReferralSettings
from warmlink.consumer import Subscription
from warmlink.service import ServiceSpec, create_app

WORKLIST = Subscription("referral.worklist", {"ScreenPositive": on_screen_positive})

Settings = ReferralSettings


def build_app(settings: ReferralSettings | None = None) -> FastAPI:
    settings = settings or ReferralSettings()
    return create_app(
        ServiceSpec(
            settings=settings,
            migrations=Path(__file__).parent / "migrations",
            routers=[router],
            subscriptions=[WORKLIST],
            title="Warmlink referral",
        )
    )
