"""Wires the screening service: settings, migrations, routes, the key ring its answers are
sealed with. It consumes no events."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.screening.adapters import sealed_columns
from services.screening.entrypoints.http import router
from services.screening.settings import ScreeningSettings
from warmlink.service import Runtime, ServiceSpec, create_app

Settings = ScreeningSettings


def spec(settings: ScreeningSettings) -> ServiceSpec:
    return ServiceSpec(
        settings=settings,
        migrations=Path(__file__).parent / "migrations",
        routers=[router],
        title="Warmlink screening",
        sealed=sealed_columns.SEALED,
        on_startup=[keep_keyring],
    )


async def keep_keyring(app: FastAPI, runtime: Runtime) -> None:
    """The key ring answers are sealed with, built once (the service refuses to start without)."""
    app.state.keyring = runtime.settings.required_seal_keyring()


def build_app(settings: ScreeningSettings | None = None) -> FastAPI:
    return create_app(spec(settings or ScreeningSettings()))
