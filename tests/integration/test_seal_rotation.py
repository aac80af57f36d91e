"""Key rotation end to end: values sealed under key A, the ring's current key becomes B,
`warmlink seal reseal` moves every value onto B in small batches, and a ring holding B alone
still opens them all. Screens' answers stored in clear before they were sealed are sealed at
start and their clear columns emptied."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from services.directory.adapters import signing_keys
from services.referral.subscriptions.adapters.sealing import seal_stored_secrets
from services.screening.adapters import repository
from services.screening.bootstrap import spec
from services.screening.domain import Thresholds
from services.screening.domain.screening import RecordScreening
from services.screening.service_layer.commands import record_screening
from services.screening.settings import ScreeningSettings
from tests.integration.test_sealed_columns import registry
from tests.support.migrated import SERVICES, migrated_pool
from tools.cli.seal import reseal, status
from warmlink.crypto import CannotOpen, Keyring, kid_of, new_key
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate
from warmlink.sealed import run_backfills
from warmlink.service import start_runtime

NOW = datetime(2025, 12, 6, 9, 0, tzinfo=UTC)  # screens may not be in the future
THRESHOLDS = Thresholds(
    epds_possible=10, epds_probable=13, phq9_positive=10, phq2_positive=3, gad7_positive=10
)
SUBSCRIPTION = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret, previous_secret)
VALUES ($1, 'site-x', 'https://example.org/hook', 60, $2, $3)"""
LEGACY_SCREENING = """
INSERT INTO screenings (id, organization_id, recorded_by, patient_ref, instrument, answers,
                        item_scores, total, band, positive, urgent, setting, screened_at)
VALUES ($1, 'site-x', 'rn-1', 'pt-1', 'PHQ-2', $2, $2, 3, 'positive', true, false, 'ob', $3)"""


def screen(answers: tuple[int, ...]) -> RecordScreening:
    return RecordScreening("site-x", "rn-1", "pt-1", "PHQ-2", answers, "ob", NOW)


async def write_under_key_a(service: str, conn: asyncpg.Connection, ring: Keyring) -> int:
    """A few values in each service's sealed columns, all sealed with key A."""
    if service == "screening":
        for n in range(5):
            async with conn.transaction():  # a positive screen publishes its event too
                await record_screening(conn, screen((n % 4, 3 - n % 4)), THRESHOLDS, ring)
        return 5
    if service == "directory":
        for n in range(3):
            async with conn.transaction():
                await signing_keys.rotate(
                    conn, ring, NOW + timedelta(hours=n), timedelta(minutes=5)
                )
        return 3
    for n in range(3):  # referral: webhook secrets, one with a previous secret
        await conn.execute(SUBSCRIPTION, uuid.uuid4(), f"whsec_{n}", "whsec_old" if n else None)
    await seal_stored_secrets(conn, ring)
    return 5


async def sealed_values(service: str, conn: asyncpg.Connection) -> list[tuple[bytes, bytes]]:
    """(sealed value, what it is bound to) for every value of every registered column."""
    found = []
    for column in registry(service).columns:
        reads = ", ".join(column.reads)
        rows = await conn.fetch(
            f"SELECT {column.column} AS v, {reads} FROM {column.table} "
            f"WHERE {column.column} IS NOT NULL"
        )
        found += [(bytes(r["v"]), column.bound_to(dict(r))) for r in rows]
    return found


@pytest.mark.parametrize(
    ("service", "env_a", "env_ab"),
    [
        ("screening", {"SEAL_KEYS": "a:{A}"}, {"SEAL_KEYS": "a:{A},b:{B}", "SEAL_KEY_ID": "b"}),
        ("directory", {"SEAL_KEYS": "a:{A}"}, {"SEAL_KEYS": "b:{B},a:{A}", "SEAL_KEY_ID": "b"}),
        # The older single-key setting (PHI_KEY) is key A: a rotation adds B in SEAL_KEYS.
        (
            "referral",
            {"PHI_KEY": "{A}", "PHI_KEY_ID": "a"},
            {"PHI_KEY": "{A}", "PHI_KEY_ID": "a", "SEAL_KEYS": "b:{B}", "SEAL_KEY_ID": "b"},
        ),
    ],
)
async def test_after_rotation_and_reseal_no_value_carries_the_old_key_and_all_open_without_it(
    service: str,
    env_a: dict[str, str],
    env_ab: dict[str, str],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = {"A": new_key(), "B": new_key()}
    prefix = service.upper() + "_"

    def configure(env: dict[str, str]) -> Keyring:
        for name in ("SEAL_KEYS", "SEAL_KEY_ID", "PHI_KEY", "PHI_KEY_ID"):
            monkeypatch.delenv(prefix + name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(prefix + name, value.format(**keys))
        ring: Keyring = SERVICES_SETTINGS[service]().required_seal_keyring()
        return ring

    monkeypatch.setenv(prefix + "DATABASE_URL", database_url)
    pool = await migrated_pool(database_url, service)
    try:
        async with pool.acquire() as conn:
            written = await write_under_key_a(service, conn, configure(env_a))
            before = await sealed_values(service, conn)
        assert len(before) == written and {kid_of(v) for v, _ in before} == {"a"}

        rotated = configure(env_ab)
        lines: list[str] = []
        assert await reseal(service, 2, lines.append) == 0  # batches of 2: several per column
        assert any("re-sealed so far" in line for line in lines)  # progress while it walks

        only_b = Keyring("b", {"b": rotated.keys["b"]})
        async with pool.acquire() as conn:
            after = await sealed_values(service, conn)
            assert await status(service, lines.append) == {"b": written}
        assert len(after) == written and {kid_of(v) for v, _ in after} == {"b"}
        opened_before = sorted(rotated.open(v, bound) for v, bound in before)
        assert sorted(only_b.open(v, bound) for v, bound in after) == opened_before
        with pytest.raises(CannotOpen):  # key A is really gone from that ring
            only_b.open(*before[0])
        assert await reseal(service, 2, lines.append) == 0  # run again: nothing left to move
        assert any(": 0 re-sealed" in line for line in lines[-len(registry(service).columns) :])
    finally:
        await pool.close()


async def test_answers_stored_in_clear_are_sealed_at_start_and_their_clear_columns_emptied(
    database_url: str,
) -> None:
    ring = Keyring.single("a", new_key())
    everything = discover(
        ("runtime", RUNTIME_MIGRATIONS), ("screening", SERVICES / "screening" / "migrations")
    )
    conn = await asyncpg.connect(database_url)
    try:
        before_004 = [m for m in everything if not m.name.startswith("screening/004")]
        await migrate(conn, before_004)
        legacy = {uuid.uuid4(): [n, 3 - n] for n in range(4)}
        for screening_id, answers in legacy.items():
            await conn.execute(LEGACY_SCREENING, screening_id, answers, NOW)
        await migrate(conn, everything)

        some_id = next(iter(legacy))  # readable before the backfill reaches it, as stored
        found = await repository.get(conn, some_id, "site-x", ring)
        assert found is not None and list(found.answers) == legacy[some_id]

        assert await run_backfills(conn, ring, registry("screening"), 3) == 4
        rows = await conn.fetch("SELECT id, answers, item_scores, answers_sealed FROM screenings")
        assert all(r["answers"] is None and r["item_scores"] is None for r in rows)
        for screening_id, answers in legacy.items():
            read = await repository.get(conn, screening_id, "site-x", ring)
            assert read is not None
            assert (list(read.answers), list(read.result.item_scores)) == (answers, answers)
        async with conn.transaction():  # written from now on: sealed, nothing in clear
            new = await record_screening(conn, screen((2, 2)), THRESHOLDS, ring)
        row = await conn.fetchrow("SELECT * FROM screenings WHERE id = $1", new.id)
        assert row["answers"] is None and row["item_scores"] is None
        assert kid_of(bytes(row["answers_sealed"])) == "a"
        with pytest.raises(asyncpg.CheckViolationError):  # a screen keeps its answers somehow
            await conn.execute("UPDATE screenings SET answers_sealed = NULL WHERE id = $1", some_id)
    finally:
        await conn.close()


def _settings_classes() -> dict[str, Any]:
    import importlib

    return {
        s: importlib.import_module(f"services.{s}.bootstrap").Settings
        for s in ("screening", "directory", "referral")
    }


SERVICES_SETTINGS = _settings_classes()


async def test_a_value_no_key_opens_is_counted_and_left_while_the_others_move(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, stranger = (Keyring.single(kid, new_key()) for kid in ("a", "b", "x"))
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", database_url)
    ring = ",".join(f"{r.current}:{base64.b64encode(r.keys[r.current]).decode()}" for r in (a, b))
    monkeypatch.setenv("DIRECTORY_SEAL_KEYS", ring)
    monkeypatch.setenv("DIRECTORY_SEAL_KEY_ID", "b")
    pool = await migrated_pool(database_url, "directory")
    try:
        async with pool.acquire() as conn:
            for n, sealing in enumerate((a, stranger, a)):
                async with conn.transaction():
                    at = NOW + timedelta(hours=n)
                    await signing_keys.rotate(conn, sealing, at, timedelta(minutes=5))
            lines: list[str] = []
            assert await reseal("directory", 1, lines.append) == 1
            assert "1 no key opens" in lines[-1]
            assert await status("directory", lines.append) == {"b": 2, "x": 1}
    finally:
        await pool.close()


async def test_the_screening_service_refuses_to_start_without_a_key(database_url: str) -> None:
    settings = ScreeningSettings(environment="test", database_url=database_url)
    with pytest.raises(RuntimeError, match="SCREENING_SEAL_KEYS"):
        await start_runtime(spec(settings))
