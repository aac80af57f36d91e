"""Clocks: business-day SLA deadlines, setting gates and the coordinator tasks they create."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from services.followup.clocks.adapters.ops import clock_metrics
from services.followup.clocks.context import ClockContext
from services.followup.clocks.entrypoints.tasks import router as tasks_router
from services.followup.clocks.handlers import ClockHandlers
from services.followup.clocks.scheduler import ClockScheduler
from services.followup.settings import FollowupSettings
from warmlink.consumer import Subscription
from warmlink.ops_metrics import Collector
from warmlink.service import Hook, Runtime, supervise

ROUTERS: list[APIRouter] = [tasks_router]
COLLECTORS: list[Collector] = [clock_metrics]


def subscription(settings: FollowupSettings) -> Subscription:
    return Subscription(
        "followup.clocks",
        ClockHandlers(ClockContext.from_settings(settings)).table(),
        background=True,  # clocks run in minutes and business days
    )


async def start_scheduler(app: FastAPI, runtime: Runtime) -> None:
    settings: FollowupSettings = runtime.settings  # type: ignore[assignment]
    if settings.scheduler_enabled:
        scheduler = ClockScheduler(runtime.pool, ClockContext.from_settings(settings))
        runtime.background.append(
            supervise("clock-scheduler", scheduler.run(settings.scheduler_interval_s))
        )


ON_STARTUP: list[Hook] = [start_scheduler]
