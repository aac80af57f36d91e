"""Capacity about to go stale is announced once per confirmation, at the lead time before it
goes stale, on an injected clock; capacity already stale is not announced as nearing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from services.directory.service_layer.commands.nearing_stale import announce_nearing_stale
from services.directory.settings import DirectorySettings
from tests.support.migrated import migrated_pool
from tools.bench.directory_seed import seed

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
EVENTS = "SELECT payload FROM outbox WHERE event_type = 'CapacityNearingStale' ORDER BY id"


async def test_capacity_nearing_stale_is_announced_once_per_confirmation(database_url: str) -> None:
    pool = await migrated_pool(database_url, "directory")
    settings = DirectorySettings()  # stale after 168 hours, announced 48 hours before
    ageing, old = await seed(database_url, 2)
    verified = "UPDATE capacities SET verified_at = $2 WHERE service_id = $1"
    await pool.execute(verified, ageing, T0)
    await pool.execute(verified, old, T0 - 200 * HOUR)  # stale already: nothing nears

    async def sweep(at: datetime) -> int:
        async with pool.acquire() as conn, conn.transaction():
            return await announce_nearing_stale(conn, settings, at)

    assert await sweep(T0 + 119 * HOUR) == 0
    assert await sweep(T0 + 121 * HOUR) == 1
    assert await sweep(T0 + 122 * HOUR) == 0, "once per confirmation"
    (row,) = await pool.fetch(EVENTS)
    data = orjson.loads(row["payload"])["data"]
    assert data["service_id"] == ageing and data["stale_at"].startswith("2026-11-09T15:00:00")
    owner = await pool.fetchval("SELECT organization_id FROM services WHERE id = $1", ageing)
    assert data["practice_id"] == owner

    confirmed = T0 + 130 * HOUR  # confirmed again: it ages, and is announced, again
    await pool.execute(verified, ageing, confirmed)
    assert await sweep(confirmed + 100 * HOUR) == 0
    assert await sweep(confirmed + 121 * HOUR) == 1
    assert len(await pool.fetch(EVENTS)) == 2
