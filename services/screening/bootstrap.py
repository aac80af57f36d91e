"""Wires the screening service: settings, migrations, routes. It consumes no events."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.screening.entrypoints.http import router
from services.screening.settings import ScreeningSettings
from warmlink.service import ServiceSpec, create_app

Settings = ScreeningSettings


def spec(settings: ScreeningSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        routers=[router],
        title="Warmlink screening",
    )


def build_app(settings: ScreeningSettings | None = None) -> FastAPI:
    return create_app(spec(settings or ScreeningSettings()))
