"""Heartbeats for many idle subscriptions at once: one statement numbers them all, and the NOTIFY
that wakes the delivery worker stays within PostgreSQL's 8000-byte payload limit (500 ids, the
batch, would be about 18 KB: the whole heartbeat transaction used to fail on it)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg

from services.referral.subscriptions.adapters.notifications import CHANNEL, record_heartbeats
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
IDLE = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret, last_event_at)
SELECT gen_random_uuid(), 'site-' || n, 'https://example.org/hook', 60, 'whsec_x',
       now() - interval '1 hour'
FROM generate_series(1, $1) AS n"""


async def test_heartbeats_for_three_hundred_idle_subscriptions_commit_and_wake_the_worker(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    listener = await asyncpg.connect(database_url)
    heard: list[str] = []
    try:
        await migrate(
            conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
        )
        await conn.execute(IDLE, 300)
        await listener.add_listener(CHANNEL, lambda *args: heard.append(args[3]))
        async with conn.transaction():
            assert await record_heartbeats(conn) == 300
        numbers = await conn.fetch(
            "SELECT subscription_id, event_number FROM subscription_notifications"
        )
        assert len(numbers) == 300 and {r["event_number"] for r in numbers} == {1}
        for _ in range(250):
            if heard:
                break
            await asyncio.sleep(0.02)
        assert heard == [""]  # too many to name: the worker scans
        # A few are still named, so a worker already delivering them can skip its scan.
        await conn.execute(
            "UPDATE subscriptions SET last_event_at = now() - interval '1 hour'"
            " WHERE organization_id IN ('site-1', 'site-2')"
        )
        await conn.execute("UPDATE subscription_notifications SET status = 'delivered'")
        heard.clear()
        async with conn.transaction():
            assert await record_heartbeats(conn) == 2
        for _ in range(250):
            if heard:
                break
            await asyncio.sleep(0.02)
        named = await conn.fetch(
            "SELECT id::text FROM subscriptions WHERE organization_id IN ('site-1', 'site-2')"
        )
        assert sorted(heard[0].split(",")) == sorted(r["id"] for r in named)
        assert all(uuid.UUID(i) for i in heard[0].split(","))
    finally:
        await listener.close()
        await conn.close()
