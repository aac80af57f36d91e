"""What CloudNativePG does with cluster.yaml's roles, replayed on the tests' real PostgreSQL:
initdb's owner role, then the generated postInitSQL statement by statement, then managed.roles
(login, no powers, a password), with two services under names of their own (roles are
server-wide and the server is shared). Each runtime role then reaches its own database only,
and the owner's migrations and grants give it its tables and nothing more."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.support.infra import Infrastructure
from tools.deploy import cnpg
from tools.dev.roles import url_as
from warmlink.db_roles import grant_runtime, quote_ident

PASSWORD = "cnpg-replay-pw"
POWERS = ("superuser", "createdb", "createrole", "replication", "bypassrls")


def _alter_as_managed(role: dict[str, Any]) -> str:
    """The role's attributes as managed.roles sets them (its Secret's password here)."""
    flags = ["LOGIN" if role["login"] else "NOLOGIN"]
    flags += [("" if role[p] else "NO") + p.upper() for p in POWERS]
    return f"ALTER ROLE {quote_ident(role['name'])} {' '.join(flags)} PASSWORD '{PASSWORD}'"


@pytest.fixture
async def services(infra: Infrastructure) -> AsyncIterator[tuple[str, str]]:
    tag = f"c{uuid.uuid4().hex[:8]}"
    names = (f"{tag}_screening", f"{tag}_directory")
    cluster = cnpg.cluster(names)["spec"]
    roles = [r["name"] for r in cluster["managed"]["roles"]]
    admin = await asyncpg.connect(infra.admin_url)
    try:
        initdb = cluster["bootstrap"]["initdb"]
        await admin.execute(f"CREATE ROLE {quote_ident(initdb['owner'])} LOGIN")
        for statement in initdb["postInitSQL"]:
            await admin.execute(statement)
        for role in cluster["managed"]["roles"]:
            await admin.execute(_alter_as_managed(role))
        yield names
    finally:
        for name in names:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        for role in roles:
            await admin.execute(f"DROP ROLE IF EXISTS {quote_ident(role)}")
        await admin.close()


async def _connects(admin_url: str, role: str, database: str) -> bool:
    try:
        conn = await asyncpg.connect(url_as(admin_url, role, database, PASSWORD))
    except asyncpg.InsufficientPrivilegeError:
        return False
    await conn.close()
    return True


async def test_each_runtime_role_reaches_its_own_database_only(
    infra: Infrastructure, services: tuple[str, str]
) -> None:
    reach = {
        (role, db): await _connects(infra.admin_url, role, db)
        for s in services
        for role in (cnpg.owner(s), cnpg.runtime(s))
        for db in services
    }
    assert reach == {
        (role, db): db == s
        for s in services
        for role in (cnpg.owner(s), cnpg.runtime(s))
        for db in services
    }


async def test_the_owner_migrates_and_grants_and_the_runtime_role_gets_data_rights_only(
    infra: Infrastructure, services: tuple[str, str]
) -> None:
    service = services[1]
    owner = await asyncpg.connect(url_as(infra.admin_url, cnpg.owner(service), service, PASSWORD))
    try:
        await owner.execute("CREATE TABLE schema_migrations (version int)")
        await owner.execute("CREATE TABLE referrals (id int PRIMARY KEY)")
        await grant_runtime(owner, cnpg.runtime(service))
    finally:
        await owner.close()
    app = await asyncpg.connect(url_as(infra.admin_url, cnpg.runtime(service), service, PASSWORD))
    try:
        await app.execute("INSERT INTO referrals VALUES (1)")
        assert await app.fetchval("SELECT count(*) FROM referrals") == 1
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE TABLE mine (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("TRUNCATE referrals")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await app.execute("CREATE DATABASE another")
    finally:
        await app.close()
