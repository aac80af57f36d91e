"""Which directory writes wake the match index on every replica (real PostgreSQL, LISTEN), and
that the index misses none of them.

A capacity confirmation must; the stale sweep's bookkeeping mark must not, since it changes
nothing a match reads and the sweep marks up to 500 records at a time.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from services.directory.adapters.match_index import MatchIndex
from services.directory.workers import match_index
from tests.support.migrated import migrated_pool
from tests.support.waiting import cancelled, eventually
from tools.bench.directory_seed import seed
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

DIRECTORY_MIGRATIONS = Path(__file__).parents[2] / "services/directory/migrations"


async def notifications_after(database_url: str, statement: str, *args: object) -> list[str]:
    heard: list[str] = []
    listener = await asyncpg.connect(database_url)
    writer = await asyncpg.connect(database_url)
    try:
        await listener.add_listener("directory_changed", lambda *a: heard.append(str(a[3])))
        await writer.execute(statement, *args)
        await writer.execute("SELECT pg_notify('directory_changed', 'probe:end')")
        for _ in range(100):  # notifications arrive in commit order: the probe comes last
            if "probe:end" in heard:
                break
            await asyncio.sleep(0.02)
        assert "probe:end" in heard, "the listener heard nothing, so an empty answer proves nothing"
        return [h for h in heard if h != "probe:end"]
    finally:
        await listener.close()
        await writer.close()


def test_confirmations_notify_and_the_stale_mark_does_not(database_url: str) -> None:
    async def scenario() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await migrate(
                conn,
                discover(("runtime", RUNTIME_MIGRATIONS), ("directory", DIRECTORY_MIGRATIONS)),
            )
        finally:
            await conn.close()
        (service_id,) = await seed(database_url, 1)
        now = datetime.now(UTC)
        marked = await notifications_after(
            database_url,
            "UPDATE capacities SET stale_announced_at = $2 WHERE service_id = $1",
            service_id,
            now,
        )
        assert marked == []
        confirmed = await notifications_after(
            database_url,
            "UPDATE capacities SET available = 0, verified_at = $2 WHERE service_id = $1",
            service_id,
            now,
        )
        assert confirmed == [f"service:{service_id}"]

    asyncio.run(scenario())


async def _following(index: MatchIndex, expected: int, what: str) -> None:
    async def size() -> int:
        return len(index)

    await eventually(size, until=lambda n: n == expected, timeout=10, what=what)


async def test_a_change_committed_after_the_first_load_still_reaches_the_index(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "directory")
    index = MatchIndex(pool)
    try:
        await index.listen()
        await index.reload()
        assert len(index) == 0
        await seed(database_url, 1)  # after the load, before the index follows changes
        follower = asyncio.create_task(match_index.run(index))
        try:
            await _following(index, 1, "the practice seeded after the first load")
        finally:
            await cancelled(follower)
    finally:
        await pool.close()


async def test_a_change_made_while_the_listening_connection_was_gone_reaches_the_index(
    database_url: str,
) -> None:
    pool = await migrated_pool(database_url, "directory")
    index = MatchIndex(pool)
    follower = asyncio.create_task(match_index.run(index))
    try:
        await eventually(lambda: _listening(pool), what="the index listening")
        # A failover or an idle-connection reaper ends the listening session.
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query = 'LISTEN \"directory_changed\"'"
        )
        await seed(database_url, 1)
        await _following(index, 1, "the practice seeded after the listener was lost")
        await eventually(lambda: _listening(pool), what="listening again")
    finally:
        await cancelled(follower)
        await pool.close()


async def _listening(pool: asyncpg.Pool) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE query = 'LISTEN \"directory_changed\"'"
        )
    )
