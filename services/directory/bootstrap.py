"""Wires the directory service (skeleton): organizations and the referral-demand consumer."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.directory.entrypoints.http import router
from services.directory.handlers import on_referral_submitted
from services.directory.settings import DirectorySettings
from warmlink.consumer import Subscription
from warmlink.service import ServiceSpec, create_app

DEMAND = Subscription("directory.demand", {"ReferralSubmitted": on_referral_submitted})
Settings = DirectorySettings


def build_app(settings: DirectorySettings | None = None) -> FastAPI:
    return create_app(
        ServiceSpec(
            settings=settings or DirectorySettings(),
            migrations=Path(__file__).parent / "migrations",
            routers=[router],
            subscriptions=[DEMAND],
            title="Warmlink directory",
        )
    )
