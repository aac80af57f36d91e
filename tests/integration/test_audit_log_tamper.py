"""The audit log resists tampering on the real PostgreSQL: TRUNCATE is refused like UPDATE and
DELETE (and on the referral timelines too), every row is chained at insert, concurrent writers
chain in one line, and the chain's check names the row a superuser edited or removed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from typer.testing import CliRunner

from tools.cli.main import app as cli
from warmlink.audit import audit, audit_each
from warmlink.audit_chain import verify_chain
from warmlink.auth import Caller, Role
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
CLINIC = Caller("client:oak", "oak-ob", Role.CLINIC)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    await migrate(
        conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
    )
    yield conn
    await conn.close()


@pytest.mark.parametrize("table", ["audit_log", "referral_timeline", "worklist_timeline"])
async def test_truncate_is_refused_even_to_the_superuser(
    conn: asyncpg.Connection, table: str
) -> None:
    await audit(conn, CLINIC, "read", "referral", "r-1")
    with pytest.raises(asyncpg.RaiseError, match=f"{table} is append-only"):
        await conn.execute(f"TRUNCATE {table}")
    assert await conn.fetchval("SELECT count(*) FROM audit_log") == 1


async def test_an_intact_chain_passes(conn: asyncpg.Connection) -> None:
    await audit(conn, CLINIC, "write", "referral", "r-1")
    await audit_each(conn, CLINIC, "read", "referral", ["r-1", "r-2", "r-3"])
    check = await verify_chain(conn)
    assert check.intact, check.first_break
    assert (check.rows, check.chains) == (4, 1)  # one connection after another: one chain


async def test_concurrent_writers_chain_in_one_line(database_url: str, conn: Any) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=8, max_size=8)
    try:

        async def write(i: int) -> None:
            async with pool.acquire() as c, c.transaction():
                await audit_each(c, CLINIC, "read", "referral", [f"r-{i}-a", f"r-{i}-b"])

        await asyncio.gather(*(write(i) for i in range(40)))
    finally:
        await pool.close()
    check = await verify_chain(conn)
    assert check.intact, check.first_break
    assert check.rows == 80


async def test_a_transaction_keeps_its_chain_and_a_concurrent_one_takes_another(
    database_url: str, conn: asyncpg.Connection
) -> None:
    other = await asyncpg.connect(database_url)
    try:
        async with conn.transaction(), other.transaction():
            await audit(conn, CLINIC, "read", "referral", "r-1")
            await audit(other, CLINIC, "read", "referral", "r-2")  # r-1's chain is held
            await audit(conn, CLINIC, "read", "referral", "r-3")
    finally:
        await other.close()
    chains = await conn.fetch("SELECT record_id, chain, chain_seq FROM audit_log ORDER BY id")
    (first, second, third) = chains
    assert first["chain"] == third["chain"] != second["chain"]
    assert (first["chain_seq"], third["chain_seq"], second["chain_seq"]) == (1, 2, 1)
    check = await verify_chain(conn)
    assert check.intact and (check.rows, check.chains) == (3, 2), check


async def test_a_row_edited_by_a_superuser_is_named(conn: asyncpg.Connection) -> None:
    for i in range(5):
        await audit(conn, CLINIC, "read", "referral", f"r-{i}")
    edited = await conn.fetchval("SELECT id FROM audit_log WHERE record_id = 'r-2'")
    await _as_superuser_without_triggers(
        conn, f"UPDATE audit_log SET actor = 'someone-else' WHERE id = {edited}"
    )
    check = await verify_chain(conn)
    assert check.first_break is not None
    assert check.first_break.row_id == edited
    assert "does not match its hash" in check.first_break.problem


async def test_a_row_removed_by_a_superuser_leaves_a_gap_named(conn: asyncpg.Connection) -> None:
    for i in range(5):
        await audit(conn, CLINIC, "read", "referral", f"r-{i}")
    after = await conn.fetchval("SELECT id FROM audit_log WHERE record_id = 'r-3'")
    await _as_superuser_without_triggers(conn, "DELETE FROM audit_log WHERE record_id = 'r-2'")
    check = await verify_chain(conn)
    assert check.first_break is not None
    assert (check.first_break.row_id, check.first_break.problem) == (
        after,
        "a gap before it in its chain",
    )


async def test_rows_written_before_the_chain_are_chained_by_its_migration(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        before_chain = [
            m for m in discover(("runtime", RUNTIME_MIGRATIONS)) if m.name < "runtime/005"
        ]
        await migrate(conn, before_chain)
        for i in range(3):
            await audit(conn, CLINIC, "read", "referral", f"r-{i}")
        await migrate(conn, discover(("runtime", RUNTIME_MIGRATIONS)))
        check = await verify_chain(conn)
        assert check.intact, check.first_break
        assert (check.rows, check.chains) == (3, 1)
    finally:
        await conn.close()


async def _as_superuser_without_triggers(conn: asyncpg.Connection, statement: str) -> None:
    """What only a superuser can do: switch the append-only triggers off for a session."""
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(statement)


async def test_the_verify_command_names_the_edited_row(
    conn: asyncpg.Connection, database_url: str
) -> None:
    await audit_each(conn, CLINIC, "read", "referral", ["r-1", "r-2"])
    command = ["audit", "verify", "--service", "referral", "--database-url", database_url]
    intact = await asyncio.to_thread(CliRunner().invoke, cli, command)
    assert intact.exit_code == 0
    assert intact.output.startswith("referral: audit chain intact: 2 rows in 1 chains, heads ")
    edited = await conn.fetchval("SELECT id FROM audit_log WHERE record_id = 'r-1'")
    await _as_superuser_without_triggers(
        conn,
        f"UPDATE audit_log SET occurred_at = occurred_at - interval '1 day' WHERE id = {edited}",
    )
    broken = await asyncio.to_thread(CliRunner().invoke, cli, command)
    assert broken.exit_code == 1
    assert f"BROKEN at row id {edited} " in broken.output
