"""Every bytea column a service's migrations create is declared: sealed (and then walked by
`warmlink seal reseal`) or not sealed, with why. A new sealed column nobody registered would
never be re-sealed, and its old key could never leave the ring: this test finds it."""

from __future__ import annotations

import importlib

import pytest

from tests.support.migrated import migrated_pool
from warmlink.sealed import RUNTIME_NOT_SEALED, SealedColumns

SERVICES = ("screening", "directory", "referral", "followup", "portal")
BYTEA_COLUMNS = """
SELECT table_name || '.' || column_name AS name FROM information_schema.columns
WHERE table_schema = 'public' AND data_type = 'bytea'"""


def registry(service: str) -> SealedColumns:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    sealed: SealedColumns = bootstrap.spec(bootstrap.Settings()).sealed
    return sealed


@pytest.mark.parametrize("service", SERVICES)
async def test_every_bytea_column_is_declared_sealed_or_not(
    service: str, database_url: str
) -> None:
    pool = await migrated_pool(database_url, service)
    try:
        created = {r["name"] for r in await pool.fetch(BYTEA_COLUMNS)}
    finally:
        await pool.close()
    sealed = registry(service)
    declared_sealed = {c.name for c in sealed.columns}
    declared_clear = set(sealed.not_sealed) | set(RUNTIME_NOT_SEALED)

    assert created - declared_sealed - declared_clear == set(), "bytea columns nobody declared"
    assert declared_sealed - created == set(), "registered columns the migrations do not create"
    assert declared_sealed & declared_clear == set()
