"""Measures: the de-identified read model behind metrics, the monthly report and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter

from services.followup.measures.handlers import on_screen_positive
from warmlink.consumer import Subscription
from warmlink.service import Hook

SUBSCRIPTION = Subscription("followup.measures", {"ScreenPositive": on_screen_positive})
ROUTERS: list[APIRouter] = []

ON_STARTUP: list[Hook] = []
