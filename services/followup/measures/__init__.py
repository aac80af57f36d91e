"""Measures: the de-identified read model behind metrics, the monthly report and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from services.followup.measures.entrypoints import capacity, dashboard, metrics
from services.followup.measures.handlers import HANDLERS
from warmlink.consumer import Subscription
from warmlink.service import Hook

SUBSCRIPTION = Subscription("followup.measures", HANDLERS, background=True)
ROUTERS: list[APIRouter] = [metrics.router, capacity.router, dashboard.router]

ON_STARTUP: list[Hook] = []
