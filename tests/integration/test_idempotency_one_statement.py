"""run_once_in_one_statement: the key row, with its response, commits in the handler's batch; a
repeated key replays the first response (also under concurrency) and a different body is 422."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.integration.harness import running, settings_for
from tests.support.infra import Infrastructure
from warmlink.idempotency import run_once_in_one_statement
from warmlink.problems import InvalidInput
from warmlink.write_batch import WriteBatch

EFFECTS = "CREATE TABLE batch_effects (id bigint GENERATED ALWAYS AS IDENTITY, label text NOT NULL)"


def _build(label: str) -> Any:
    async def build(batch: WriteBatch) -> tuple[int, Any]:
        await batch.execute("INSERT INTO batch_effects (label) VALUES ($1)", label)
        return 201, {"label": label}

    return build


async def test_a_repeated_key_replays_the_first_response_without_a_second_effect(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt, rt.pool.acquire() as conn:
        await conn.execute(EFFECTS)

        async def once(label: str, fingerprint: str) -> tuple[int, Any, bool]:
            return await run_once_in_one_statement(
                conn, organization_id="org", key="k1", fingerprint=fingerprint, build=_build(label)
            )

        assert await once("first", "f") == (201, {"label": "first"}, False)
        assert await once("second", "f") == (201, {"label": "first"}, True)
        with pytest.raises(InvalidInput, match="different request"):
            await once("third", "other body")
        assert await conn.fetchval("SELECT count(*) FROM batch_effects") == 1
        without_key = await run_once_in_one_statement(
            conn, organization_id="org", key=None, fingerprint="f", build=_build("keyless")
        )
        assert without_key == (201, {"label": "keyless"}, False)
        async with conn.transaction():
            with pytest.raises(RuntimeError, match="its own transaction"):
                await once("inside", "f")


async def test_concurrent_identical_requests_make_one_effect(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False, database_pool_max=20)
    async with running(settings, consume=False) as rt:
        async with rt.pool.acquire() as conn:
            await conn.execute(EFFECTS)

        async def one(n: int) -> tuple[int, Any, bool]:
            async with rt.pool.acquire() as conn:
                return await run_once_in_one_statement(
                    conn, organization_id="org", key="same", fingerprint="f", build=_build(str(n))
                )

        results = await asyncio.gather(*[one(n) for n in range(20)])
        async with rt.pool.acquire() as conn:
            effects = await conn.fetch("SELECT label FROM batch_effects")
    assert len(effects) == 1
    first = {"label": effects[0]["label"]}
    assert all(body == first and status == 201 for status, body, _ in results)
    assert sorted(replayed for _, _, replayed in results) == [False] + [True] * 19
