"""A pool on a test database that carries the runtime's and one service's tables."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

SERVICES = Path(__file__).parents[2] / "services"


async def migrated_pool(database_url: str, service: str) -> asyncpg.Pool:
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(
            conn,
            discover(("runtime", RUNTIME_MIGRATIONS), (service, SERVICES / service / "migrations")),
        )
    finally:
        await conn.close()
    return await asyncpg.create_pool(database_url, min_size=1, max_size=4)
