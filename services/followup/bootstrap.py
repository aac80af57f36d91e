"""Wires the follow-up service: clocks and tasks, and the measures behind metrics and dashboard."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.followup import clocks
from services.followup.measures.entrypoints import capacity, dashboard, metrics
from services.followup.measures.service_layer import events as measure_events
from services.followup.settings import FollowupSettings
from warmlink.service import ServiceSpec, create_app

Settings = FollowupSettings


def spec(settings: FollowupSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        routers=[*clocks.ROUTERS, metrics.router, capacity.router, dashboard.router],
        subscriptions=[clocks.subscription(settings), *measure_events.subscriptions(settings)],
        title="Warmlink follow-up",
        on_startup=clocks.ON_STARTUP,
        collectors=clocks.COLLECTORS,
    )


def build_app(settings: FollowupSettings | None = None) -> FastAPI:
    return create_app(spec(settings or FollowupSettings()))
