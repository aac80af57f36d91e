"""Run one service under uvicorn: `python -m services.<name>` ends up here.

Each service's bootstrap module exposes `Settings` (its settings class) and `build_app(settings)`.
"""

from __future__ import annotations

import importlib

import uvicorn


def run_service(name: str) -> None:
    bootstrap = importlib.import_module(f"services.{name}.bootstrap")
    settings = bootstrap.Settings()
    # Several workers need an import string (each worker builds its own app from the same env).
    app = f"services.{name}.bootstrap:build_app" if settings.http_workers > 1 else None
    uvicorn.run(
        app or bootstrap.build_app(settings),
        factory=app is not None,
        workers=settings.http_workers,
        host=settings.http_host,
        port=settings.http_port,
        forwarded_allow_ips=settings.trusted_proxies,  # the client address the rate limit keys
        loop="uvloop",
        http="httptools",
        log_config=None,  # our JSON logging, configured in the lifespan
        access_log=False,
        timeout_graceful_shutdown=20,
    )
