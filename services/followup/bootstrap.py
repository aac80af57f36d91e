"""Wires the follow-up service: clocks and tasks, and the measures behind metrics and dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.followup import clocks, measures
from services.followup.settings import FollowupSettings
from warmlink.service import ServiceSpec, create_app

Settings = FollowupSettings


def spec(settings: FollowupSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        routers=[*clocks.ROUTERS, *measures.ROUTERS],
        subscriptions=[clocks.subscription(settings), measures.SUBSCRIPTION],
        title="Warmlink follow-up",
        on_startup=[*clocks.ON_STARTUP, *measures.ON_STARTUP],
        collectors=clocks.COLLECTORS,
    )


def build_app(settings: FollowupSettings | None = None) -> FastAPI:
    return create_app(spec(settings or FollowupSettings()))
