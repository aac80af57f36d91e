"""Wires the follow-up service: clocks and tasks, and the measures behind metrics and dashboard."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.followup.clocks.adapters.context import ClockContext
from services.followup.clocks.adapters.ops import clock_metrics
from services.followup.clocks.entrypoints import invariant, screen_clocks, tasks
from services.followup.clocks.service_layer import events as clock_events
from services.followup.clocks.workers.clock_scheduler import ClockScheduler
from services.followup.measures.entrypoints import capacity, dashboard, metrics
from services.followup.measures.service_layer import events as measure_events
from services.followup.settings import FollowupSettings
from warmlink.service import Runtime, ServiceSpec, create_app, supervise

Settings = FollowupSettings


def spec(settings: FollowupSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        routers=[
            tasks.router,
            screen_clocks.router,
            invariant.router,
            metrics.router,
            capacity.router,
            dashboard.router,
        ],
        subscriptions=[
            *clock_events.subscriptions(settings),
            *measure_events.subscriptions(settings),
        ],
        title="Warmlink follow-up",
        on_startup=[start_clock_scheduler],
        collectors=[clock_metrics],
    )


async def start_clock_scheduler(app: FastAPI, runtime: Runtime) -> None:
    settings: FollowupSettings = runtime.settings  # type: ignore[assignment]
    if settings.scheduler_enabled:
        scheduler = ClockScheduler(runtime.background_pool, ClockContext.from_settings(settings))
        runtime.background.append(
            supervise("clock-scheduler", partial(scheduler.run, settings.scheduler_interval_s))
        )


def build_app(settings: FollowupSettings | None = None) -> FastAPI:
    return create_app(spec(settings or FollowupSettings()))
