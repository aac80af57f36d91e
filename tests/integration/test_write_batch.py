"""WriteBatch on real PostgreSQL: one statement, all or nothing, selects after every write, and
wake-ups sent after the commit, never inside it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.integration.harness import running, settings_for
from tests.support.infra import Infrastructure
from warmlink.db import notify_after_commit
from warmlink.pool import holds_session_state
from warmlink.write_batch import NotBatchable, WriteBatch

TABLES = """
CREATE TABLE parents (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE children (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES parents (id),
                       note text);
"""
ADD_PARENT = "INSERT INTO parents (id, name) VALUES ($1, $2)"
ADD_CHILD = "INSERT INTO children (id, parent_id, note) VALUES ($1, $2, $3)"
FAILING_SELECT = "SELECT $1::int / (0 * random())::int"


async def _connect(database_url: str) -> asyncpg.Connection:  # type: ignore[type-arg]
    conn = await asyncpg.connect(database_url)
    await conn.execute(TABLES)
    return conn


async def test_writes_commit_together_in_one_statement_with_their_own_parameters(
    database_url: str,
) -> None:
    conn = await _connect(database_url)
    try:
        batch = WriteBatch()
        await batch.execute(ADD_CHILD, 10, 1, "queued before its parent")  # FK checked at the end
        await batch.execute(ADD_PARENT, 1, "first")
        await batch.execute(ADD_PARENT, 2, "second")
        await batch.execute("UPDATE parents SET name = $2 WHERE id = $1", 7, "no such row")
        assert await batch.commit(conn) == 3
        parents = await conn.fetch("SELECT id, name FROM parents ORDER BY id")
        assert [tuple(r) for r in parents] == [(1, "first"), (2, "second")]
        assert await conn.fetchval("SELECT note FROM children WHERE id = 10") == (
            "queued before its parent"
        )
    finally:
        await conn.close()


async def test_any_failure_rolls_back_every_write(database_url: str) -> None:
    conn = await _connect(database_url)
    try:
        await conn.execute(ADD_PARENT, 1, "existing")
        batch = WriteBatch()
        await batch.execute(ADD_PARENT, 2, "new")
        await batch.execute(ADD_PARENT, 1, "duplicate")
        with pytest.raises(asyncpg.UniqueViolationError):
            await batch.commit(conn)
        assert await conn.fetchval("SELECT count(*) FROM parents") == 1
    finally:
        await conn.close()


async def test_selects_run_after_every_write_in_the_order_queued(database_url: str) -> None:
    conn = await _connect(database_url)
    try:
        await conn.execute(ADD_PARENT, 1, "existing")
        # The select would fail too, but the failing write is met first: writes run before it.
        # (random(): an error at run time; a constant 1/0 would fail while planning.)
        batch = WriteBatch()
        await batch.execute(FAILING_SELECT, 1)
        await batch.execute(ADD_PARENT, 1, "duplicate")
        with pytest.raises(asyncpg.UniqueViolationError):
            await batch.commit(conn)
        # With the writes fine, the select's error rolls them back.
        batch = WriteBatch()
        await batch.execute(FAILING_SELECT, 1)
        await batch.execute(ADD_PARENT, 2, "new")
        with pytest.raises(asyncpg.DivisionByZeroError):
            await batch.commit(conn)
        assert await conn.fetchval("SELECT count(*) FROM parents") == 1
        # Selects run in order: the first one's lock-taking effects come before the second's.
        await conn.execute("CREATE SEQUENCE steps")
        batch = WriteBatch()
        await batch.execute(ADD_PARENT, 3, "third")
        await batch.execute("SELECT setval('steps', 10 * $1::bigint)", 1)
        await batch.execute("SELECT setval('steps', currval('steps') + $1::bigint)", 5)
        await batch.commit(conn)
        assert await conn.fetchval("SELECT last_value FROM steps") == 15
    finally:
        await conn.close()


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("INSERT INTO parents (id, name) VALUES ($1, $2) RETURNING id", "cannot return rows"),
        ("SELECT $$text$$", "dollar quoting"),
        ("CREATE TABLE x (id int)", "CREATE cannot be batched"),
    ],
)
async def test_statements_a_batch_cannot_hold_are_refused_when_queued(query: str, why: str) -> None:
    with pytest.raises(NotBatchable, match=why):
        await WriteBatch().execute(query)


async def _listen(database_url: str, channel: str) -> tuple[asyncpg.Connection, list[str]]:  # type: ignore[type-arg]
    heard: list[str] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener(channel, lambda *args: heard.append(args[2]))
    return listener, heard


async def _heard_within(heard: list[str], seconds: float) -> bool:
    for _ in range(int(seconds / 0.02)):
        if heard:
            return True
        await asyncio.sleep(0.02)
    return bool(heard)


async def test_a_service_pool_connection_notifies_after_release_not_inside_the_commit(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt:
        listener, heard = await _listen(database_url, "wake_test")
        try:
            async with rt.pool.acquire() as conn:
                async with conn.transaction():
                    await notify_after_commit(conn, "wake_test")
                assert not await _heard_within(heard, 0.3)  # committed, not yet released
            assert await _heard_within(heard, 5)
            # A batch passes the mark on to the connection it commits on.
            heard.clear()
            async with rt.pool.acquire() as conn:
                await conn.execute(TABLES)
                batch = WriteBatch()
                await batch.execute(ADD_PARENT, 1, "one")
                await notify_after_commit(batch, "wake_test")
                await batch.commit(conn)
                assert not await _heard_within(heard, 0.3)
            assert await _heard_within(heard, 5)
            # The channel is written into the reset query's text: only plain names are taken.
            async with rt.pool.acquire() as conn:
                with pytest.raises(ValueError, match="not a channel name"):
                    await notify_after_commit(conn, "x', ''); DROP TABLE parents; --")
        finally:
            await listener.close()


async def test_a_plain_connection_notifies_with_its_commit(database_url: str) -> None:
    conn = await _connect(database_url)
    listener, heard = await _listen(database_url, "wake_test")
    try:
        batch = WriteBatch()
        await batch.execute(ADD_PARENT, 1, "one")
        await notify_after_commit(batch, "wake_test")
        await batch.commit(conn)
        assert await _heard_within(heard, 5)
    finally:
        await listener.close()
        await conn.close()


ADD_CHILD_OF_NAMED = """
INSERT INTO children (id, parent_id, note) SELECT $1, p.id, 'x' FROM parents p WHERE p.name = $2"""


async def _batch_notifying_if_written(name: str) -> WriteBatch:
    """A batch whose NOTIFY waits on a write that touches a row only if parent `name` exists."""
    batch = WriteBatch()
    await batch.execute(ADD_PARENT, 2, "two")
    written = await batch.execute(ADD_CHILD_OF_NAMED, 10, name)
    await notify_after_commit(batch, "wake_test", written=written)
    return batch


async def test_a_wake_up_on_condition_is_sent_only_when_its_write_touched_a_row(
    infra: Infrastructure, database_url: str
) -> None:
    """A status change with no subscriber queues nothing and must wake no worker: decided after
    the batch has run on a service pool's connection, inside the statement on a plain one, and
    at once from a plain statement's status."""
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt:
        listener, heard = await _listen(database_url, "wake_test")
        try:
            async with rt.pool.acquire() as conn:
                await conn.execute(TABLES)
                await (await _batch_notifying_if_written("nobody")).commit(conn)
            assert not await _heard_within(heard, 0.5)
            async with rt.pool.acquire() as conn:
                await conn.execute("DELETE FROM parents")
                await conn.execute(ADD_PARENT, 1, "one")
                await (await _batch_notifying_if_written("one")).commit(conn)
            assert await _heard_within(heard, 5)

            heard.clear()
            plain = await asyncpg.connect(database_url)
            try:
                await plain.execute("DELETE FROM children; DELETE FROM parents")
                await (await _batch_notifying_if_written("nobody")).commit(plain)
                assert not await _heard_within(heard, 0.5)
                await plain.execute("DELETE FROM parents")
                await plain.execute(ADD_PARENT, 1, "one")
                await (await _batch_notifying_if_written("one")).commit(plain)
                assert await _heard_within(heard, 5)

                heard.clear()
                async with plain.transaction():
                    status = await plain.execute("DELETE FROM children WHERE id = -1")
                    await notify_after_commit(plain, "wake_test", written=status)
                assert not await _heard_within(heard, 0.5)
                async with plain.transaction():
                    status = await plain.execute("DELETE FROM children WHERE id = 10")
                    await notify_after_commit(plain, "wake_test", written=status)
                assert await _heard_within(heard, 5)
            finally:
                await plain.close()
        finally:
            await listener.close()


async def test_a_released_connection_keeps_no_listen_or_session_lock_it_took(
    infra: Infrastructure, database_url: str
) -> None:
    """Only connections that took session state are reset on the server; those are."""
    settings = settings_for(
        infra, database_url, relay_enabled=False, database_pool_min=1, database_pool_max=1
    )
    async with running(settings, consume=False) as rt:
        # A LISTEN and a session lock left behind (asyncpg warns of the listener, rightly).
        with pytest.warns(asyncpg.InterfaceWarning, match="notification listener"):
            async with rt.pool.acquire() as conn:
                await conn.add_listener("wake_test", lambda *args: None)
                holds_session_state(conn)
                await conn.execute("SELECT pg_advisory_lock(4242)")
                pid = await conn.fetchval("SELECT pg_backend_pid()")
        async with rt.pool.acquire() as conn:  # the same connection: the pool holds one
            assert await conn.fetchval("SELECT pg_backend_pid()") == pid
            assert await conn.fetch("SELECT pg_listening_channels()") == []
            locks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = $1"
            assert await conn.fetchval(locks, pid) == 0
            # A transaction left open is rolled back on release.
            await conn.execute("BEGIN")
            await conn.execute("CREATE TABLE left_open (id int)")
        async with rt.pool.acquire() as conn:
            assert await conn.fetchval("SELECT to_regclass('left_open')") is None
