"""`warmlink deadletters`: what an operator runs against a service's database to see open dead
letters and what they hold back, and to ask for a replay or a discard."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner

from tests.support.infra import Infrastructure
from tests.support.migrated import migrated_pool
from tools.cli.main import app

LETTER = """
INSERT INTO dead_letters (consumer, source_topic, source_partition, source_offset, event_id,
                          reason, error, attempts, key, value)
VALUES ('referral.screens', 'warmlink.screening.v1', 0, 7, gen_random_uuid(), 'handler_failed',
        'RuntimeError: a bug', 5, 'k'::bytea, 'v'::bytea)
RETURNING id"""
HELD = """
INSERT INTO held_back (consumer, key, event_id, source_topic, source_partition, source_offset,
                       value)
VALUES ('referral.screens', 'k'::bytea, gen_random_uuid(), 'warmlink.screening.v1', 0, 8, 'v')"""


async def _a_letter_holding_one(database_url: str) -> int:
    pool = await migrated_pool(database_url, "screening")
    try:
        letter = int(await pool.fetchval(LETTER))
        await pool.execute(HELD)
        return letter
    finally:
        await pool.close()


async def _resolution(database_url: str, letter: int) -> str | None:
    conn = await asyncpg.connect(database_url)
    try:
        value: str | None = await conn.fetchval(
            "SELECT resolution FROM dead_letters WHERE id = $1", letter
        )
        return value
    finally:
        await conn.close()


def test_deadletters_lists_an_open_letter_with_what_it_holds_and_takes_a_decision(
    infra: Infrastructure, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter = asyncio.run(_a_letter_holding_one(database_url))
    monkeypatch.setenv("SCREENING_DATABASE_URL", database_url)
    cli = CliRunner()

    listed = cli.invoke(app, ["deadletters", "list", "--service", "screening"])
    assert listed.exit_code == 0, listed.output
    fields = listed.output.strip().split("\t")
    assert fields[:6] == [
        str(letter),
        "referral.screens",
        "handler_failed",
        "5 tries",
        "1 held back",
        "open",
    ]

    asked = cli.invoke(app, ["deadletters", "replay", "--service", "screening", str(letter)])
    assert asked.exit_code == 0, asked.output
    assert "replay asked of referral.screens" in asked.output
    assert asyncio.run(_resolution(database_url, letter)) == "replay"

    unknown = cli.invoke(app, ["deadletters", "discard", "--service", "screening", "999999"])
    assert unknown.exit_code == 1
