"""deploy/postgres's init files, run as the postgres image's entrypoint runs them (init.sql, then
roles.sh, with psql on the path), against a PostgreSQL of their own: each service's runtime role
reaches its own database only, which its owner role owns."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tools.dev.postgres import EmbeddedPostgres, _bin_dir
from tools.dev.processes import free_port
from tools.dev.roles import url_as

POSTGRES = Path(__file__).resolve().parents[2] / "deploy" / "postgres"
SERVICES = ("screening", "directory", "referral", "followup", "portal")


@pytest.fixture(scope="module")
def initialized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    root = tmp_path_factory.mktemp("initdb")
    pg = EmbeddedPostgres(root / "pg", free_port(), root / "pg.log", fsync=False)
    pg.start()
    env = (
        os.environ
        | {
            "PATH": f"{_bin_dir()}:{os.environ['PATH']}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(pg.port),
            "POSTGRES_USER": "postgres",
        }
        | {f"WARMLINK_{s.upper()}_DB_PASSWORD": f"{s}-pw" for s in SERVICES}
    )
    try:
        psql = [str(_bin_dir() / "psql"), "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-f"]
        subprocess.run([*psql, str(POSTGRES / "init.sql")], env=env, check=True)
        subprocess.run(["sh", str(POSTGRES / "roles.sh")], env=env, check=True)
        yield pg
    finally:
        pg.stop()


async def _connects(url: str) -> bool:
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InsufficientPrivilegeError:
        return False
    await conn.close()
    return True


def test_each_runtime_role_reaches_its_own_database_only(initialized: EmbeddedPostgres) -> None:
    admin = initialized.url()
    reach = {
        (service, database): asyncio.run(_connects(url_as(admin, f"{service}_app", database)))
        for service in SERVICES
        for database in SERVICES
    }
    assert reach == {(s, d): s == d for s in SERVICES for d in SERVICES}


def test_each_database_is_owned_by_its_owner_role(initialized: EmbeddedPostgres) -> None:
    async def owners() -> dict[str, str]:
        conn = await asyncpg.connect(initialized.url())
        try:
            rows = await conn.fetch(
                "SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database "
                "WHERE datname = ANY($1::text[])",
                list(SERVICES),
            )
        finally:
            await conn.close()
        return {r["datname"]: r["owner"] for r in rows}

    assert asyncio.run(owners()) == {s: f"{s}_owner" for s in SERVICES}
