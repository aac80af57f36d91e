"""Run one service under uvicorn: `python -m services.<name>` ends up here.

Each service's bootstrap module exposes `Settings` (its settings class) and `build_app(settings)`.
"""

from __future__ import annotations

import importlib

import uvicorn


def run_service(name: str) -> None:
    bootstrap = importlib.import_module(f"services.{name}.bootstrap")
    settings = bootstrap.Settings()
    uvicorn.run(
        bootstrap.build_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        loop="uvloop",
        http="httptools",
        log_config=None,  # our JSON logging, configured in the lifespan
        access_log=False,
        timeout_graceful_shutdown=20,
    )
