"""A database that cannot take the work for now is waited out, never blamed on the event.

Each fault here is real PostgreSQL's, set on the test's database: a lock held past `lock_timeout`,
past `statement_timeout`, and the database switched to read-only (what a standby answers during
a failover). Each lasts for more tries than the consumer gives a failing handler; afterwards the
event is applied once and nothing is dead-lettered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from contracts import encode, wrap
from tests.integration.harness import effect_count, running, screen, settings_for
from tests.integration.test_idempotent_consumer import _produce_raw
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.service import Runtime


def _database(url: str) -> str:
    return url.rpartition("/")[2].partition("?")[0]


async def _admin(infra: Infrastructure, *statements: str) -> None:
    conn = await asyncpg.connect(infra.admin_url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _end_sessions(database: str) -> str:
    """New settings of a database reach new sessions only: end the pool's, it opens new ones."""
    return (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )


@asynccontextmanager
async def _table_locked(database_url: str) -> AsyncIterator[None]:
    """Another session holds the effects table, as a migration or a long report would."""
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.execute("LOCK TABLE effects IN ACCESS EXCLUSIVE MODE")
            yield
    finally:
        await conn.close()


def _failures(caplog: pytest.LogCaptureFixture, error: str) -> int:
    return sum(
        1
        for r in caplog.records
        if r.name == "warmlink.consumer" and getattr(r, "error", None) == error
    )


async def _met_the_fault(
    rt: Runtime, caplog: pytest.LogCaptureFixture, error: str, attempts: int
) -> None:
    """The consumer met the fault more often than a failing handler is tried, or gave up on
    the event (which the test then fails on)."""

    async def state() -> tuple[int, int]:
        letters = await rt.pool.fetchval("SELECT count(*) FROM dead_letters")
        return _failures(caplog, error), int(letters)

    await eventually(
        state,
        until=lambda s: s[0] > attempts or s[1] > 0 or any(t.done() for t in rt.tasks),
        what=f"more than {attempts} tries meeting {error}",
    )


@pytest.mark.parametrize(
    ("setting", "error"),
    [
        ("lock_timeout = '50ms'", "LockNotAvailableError"),
        ("statement_timeout = '50ms'", "QueryCanceledError"),
    ],
    ids=["lock_timeout", "statement_timeout"],
)
async def test_a_timeout_on_a_locked_table_is_waited_out_not_dead_lettered(
    infra: Infrastructure,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    setting: str,
    error: str,
) -> None:
    database = _database(database_url)
    await _admin(infra, f'ALTER DATABASE "{database}" SET {setting}')
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        async with _table_locked(database_url):
            await _produce_raw(settings, encode(wrap(screen("behind-a-lock"), producer="test")))
            await _met_the_fault(rt, caplog, error, settings.consumer_max_attempts)
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="the effect")
        assert await rt.pool.fetchval("SELECT count(*) FROM dead_letters") == 0
        assert not any(t.done() for t in rt.tasks)


async def test_a_read_only_database_is_waited_out_not_dead_lettered(
    infra: Infrastructure, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    database = _database(database_url)
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        await _admin(
            infra,
            f'ALTER DATABASE "{database}" SET default_transaction_read_only = on',
            _end_sessions(database),
        )
        try:
            await _produce_raw(settings, encode(wrap(screen("while-read-only"), producer="test")))
            await _met_the_fault(
                rt, caplog, "ReadOnlySQLTransactionError", settings.consumer_max_attempts
            )
        finally:
            await _admin(
                infra,
                f'ALTER DATABASE "{database}" RESET default_transaction_read_only',
                _end_sessions(database),
            )
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="the effect")
        assert await rt.pool.fetchval("SELECT count(*) FROM dead_letters") == 0
        assert not any(t.done() for t in rt.tasks)
