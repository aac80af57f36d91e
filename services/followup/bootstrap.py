"""Wires the follow-up service (skeleton): the positive-screen consumer."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.followup.handlers import on_screen_positive
from services.followup.settings import FollowupSettings
from warmlink.consumer import Subscription
from warmlink.service import ServiceSpec, create_app

MEASURES = Subscription("followup.measures", {"ScreenPositive": on_screen_positive})
Settings = FollowupSettings


def build_app(settings: FollowupSettings | None = None) -> FastAPI:
    return create_app(
        ServiceSpec(
            settings=settings or FollowupSettings(),
            migrations=Path(__file__).parent / "migrations",
            subscriptions=[MEASURES],
            title="Warmlink follow-up",
        )
    )
