"""`GET /ready`, what compose's healthcheck and `warmlink dev` wait on: 200 while the service's
tasks run and its database answers, 503 naming what failed otherwise, and 200 again after."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from tests.integration.harness import settings_for
from tests.integration.test_ops_metrics import serving
from tests.support.infra import Infrastructure
from tests.support.waiting import cancelled


async def _allow_connections(admin_url: str, database: str, allowed: bool) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:  # the pool's open connections go too
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                database,
            )
    finally:
        await conn.close()


async def test_ready_is_503_naming_the_database_while_it_refuses_and_200_after(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    database = database_url.rpartition("/")[2].partition("?")[0]
    settings = settings_for(infra, database_url, relay_enabled=False, consumers_enabled=False)
    async with serving(settings, tmp_path) as (scraper, _):
        ready = await scraper.client.get("/ready")
        assert (ready.status_code, ready.json()["status"]) == (200, "ready")
        await _allow_connections(infra.admin_url, database, allowed=False)
        try:
            down = await scraper.client.get("/ready")
            assert down.status_code == 503, down.text
            assert down.json() == {
                "status": "degraded",
                "service": settings.service_name,
                "failed": "database",
            }
        finally:
            await _allow_connections(infra.admin_url, database, allowed=True)
        back = await scraper.client.get("/ready")
        assert (back.status_code, back.json()["status"]) == (200, "ready")


async def test_ready_names_a_background_task_that_ended(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=True, consumers_enabled=False)
    async with serving(settings, tmp_path) as (scraper, runtime):
        assert (await scraper.client.get("/ready")).status_code == 200
        task = (runtime.tasks + runtime.background)[0]
        await cancelled(task)
        down = await scraper.client.get("/ready")
        assert down.status_code == 503
        assert task.get_name() in down.json()["failed"].split(",")
