"""Each service as its own least-privilege role, on the real PostgreSQL: the runtime migrates as
the owner and runs as the runtime role, which may add and read audit rows (chained as ever) but
not change, remove or truncate them, owns nothing, and cannot reach another service's database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from typer.testing import CliRunner

from tests.integration.harness import emit, relay_caught_up, running, screen, settings_for
from tests.support.infra import Infrastructure
from tools.cli.main import app as cli
from tools.dev.roles import ServiceRoles, provision_service, url_as
from warmlink.audit import audit
from warmlink.audit_chain import verify_chain
from warmlink.auth import Caller, Role
from warmlink.db_roles import grant_runtime, role_of
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

CLINIC = Caller("client:oak", "oak-ob", Role.CLINIC)


async def _provisioned(infra: Infrastructure, database_url: str) -> ServiceRoles:
    db = database_url.rpartition("/")[2]
    return await provision_service(infra.admin_url, db, f"{db}_owner", f"{db}_app")


@pytest.fixture
async def runtime_conn(
    infra: Infrastructure, database_url: str
) -> AsyncIterator[asyncpg.Connection]:
    """A service started as the roles (migrated as the owner), and a connection as its runtime
    role, with one audit row written and events relayed through its pool."""
    roles = await _provisioned(infra, database_url)
    settings = settings_for(
        infra, roles.runtime_url, migration_database_url=roles.owner_url, consumers_enabled=False
    )
    async with running(settings, consume=False) as rt:
        await emit(rt, screen())
        await relay_caught_up(rt)
        async with rt.pool.acquire() as conn:
            assert (
                await conn.fetchval("SELECT current_user") == roles.runtime_url[13:].split("@")[0]
            )
            await audit(conn, CLINIC, "read", "referral", "r-1")
    conn = await asyncpg.connect(roles.runtime_url)
    yield conn
    await conn.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "TRUNCATE outbox",
        "CREATE TABLE elsewhere (id int)",
        "SELECT * FROM schema_migrations",
    ],
)
async def test_the_runtime_role_is_refused(
    runtime_conn: asyncpg.Connection, statement: str
) -> None:
    with pytest.raises(
        (asyncpg.InsufficientPrivilegeError, asyncpg.exceptions.DependentObjectsStillExistError)
    ) as refused:
        await runtime_conn.execute(statement)
    assert isinstance(refused.value, asyncpg.InsufficientPrivilegeError), refused.value


async def test_the_runtime_role_adds_and_reads_chained_audit_rows(
    runtime_conn: asyncpg.Connection,
) -> None:
    await audit(runtime_conn, CLINIC, "write", "referral", "r-2")
    assert await runtime_conn.fetchval("SELECT count(*) FROM audit_log") == 2
    check = await verify_chain(runtime_conn)
    assert check.intact and check.rows == 2, check


async def test_no_role_reaches_another_services_database(
    infra: Infrastructure, database_url: str
) -> None:
    mine = await _provisioned(infra, database_url)
    other = await _provisioned(infra, await asyncio.to_thread(infra.create_database, "other"))
    mine_db = database_url.rpartition("/")[2]
    for url in (other.runtime_url, other.owner_url):
        stranger = url_as(infra.admin_url, role_of(url), mine_db)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await asyncpg.connect(stranger)
    admin = await asyncpg.connect(infra.admin_url)
    try:
        public_may_connect = await admin.fetchval(
            "SELECT has_database_privilege('public', $1, 'CONNECT')",
            database_url.rpartition("/")[2],
        )
    finally:
        await admin.close()
    assert public_may_connect is False
    conn = await asyncpg.connect(mine.runtime_url)
    await conn.close()


async def test_a_database_migrated_as_the_superuser_is_handed_to_its_owner(
    infra: Infrastructure, database_url: str
) -> None:
    """A development state folder from before roles: its tables were made by the superuser."""
    admin = await asyncpg.connect(database_url)
    try:
        await migrate(admin, discover(("runtime", RUNTIME_MIGRATIONS))[:3])
        await audit(admin, CLINIC, "read", "referral", "r-0")
    finally:
        await admin.close()
    roles = await _provisioned(infra, database_url)
    owner = await asyncpg.connect(roles.owner_url)
    try:
        applied = await migrate(owner, discover(("runtime", RUNTIME_MIGRATIONS)))
        assert "runtime/005_audit_chain.sql" in applied
        assert (await verify_chain(owner)).intact
    finally:
        await owner.close()


async def test_the_roles_command_makes_both_roles_and_the_database(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"cli_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("WARMLINK_DB_RUNTIME_PASSWORD", "runtime-secret")
    command = ["db", "roles", "--service", "referral", "--database", name]
    made = await asyncio.to_thread(
        CliRunner().invoke, cli, [*command, "--admin-url", infra.admin_url]
    )
    assert made.exit_code == 0, made.output
    assert "runtime-secret" not in made.output
    assert f"REFERRAL_DATABASE_URL:           role {name}_app, database {name}" in made.output
    conn = await asyncpg.connect(url_as(infra.admin_url, f"{name}_app", name, "runtime-secret"))
    try:
        assert await conn.fetchval("SELECT current_user") == f"{name}_app"
        owner = await conn.fetchval(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
        )
    finally:
        await conn.close()
    assert owner == f"{name}_owner"


async def test_processes_starting_together_grant_in_turn(
    infra: Infrastructure, database_url: str
) -> None:
    """A service's worker processes (or replicas) each grant at start; two GRANTs on one object
    at the same moment fail in PostgreSQL ("tuple concurrently updated"), which stopped the
    directory's benchmark from starting. Eight owners granting at once all succeed."""
    roles = await _provisioned(infra, database_url)
    owner = await asyncpg.connect(roles.owner_url)
    try:
        await migrate(owner, discover(("runtime", RUNTIME_MIGRATIONS)))
    finally:
        await owner.close()
    owners = [await asyncpg.connect(roles.owner_url) for _ in range(8)]
    try:
        runtime = role_of(roles.runtime_url)
        granted = await asyncio.gather(*(grant_runtime(conn, runtime) for conn in owners))
    finally:
        await asyncio.gather(*(conn.close() for conn in owners))
    assert all("audit_log" in tables for tables in granted), granted
