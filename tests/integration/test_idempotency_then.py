"""run_once's `then`: the last step of the transaction, after the stored response (it exists for
work that takes a contended lock), never on a replay, and rolled back with everything else."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.harness import running, settings_for
from tests.support.infra import Infrastructure
from warmlink.idempotency import run_once

STORED = "SELECT response FROM idempotency_keys WHERE organization_id = 'org' AND key = $1"


async def test_then_runs_last_in_the_transaction_and_not_on_a_replay(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt, rt.pool.acquire() as conn:
        seen: list[Any] = []

        async def run() -> tuple[int, Any]:
            return 201, {"id": 1}

        async def then() -> None:
            assert conn.is_in_transaction()
            seen.append(await conn.fetchval(STORED, "k1"))  # already stored

        first = await run_once(
            conn, organization_id="org", key="k1", fingerprint="f", run=run, then=then
        )
        replay = await run_once(
            conn, organization_id="org", key="k1", fingerprint="f", run=run, then=then
        )
    assert first == (201, {"id": 1}, False)
    assert replay == (201, {"id": 1}, True)
    assert seen == ['{"id": 1}']  # once: the replay did not run it


async def test_a_failing_then_rolls_back_the_stored_response(
    infra: Infrastructure, database_url: str
) -> None:
    settings = settings_for(infra, database_url, relay_enabled=False)
    async with running(settings, consume=False) as rt, rt.pool.acquire() as conn:

        async def run() -> tuple[int, Any]:
            return 201, {"id": 2}

        async def then() -> None:
            raise RuntimeError("the lock could not be taken")

        with pytest.raises(RuntimeError):
            await run_once(
                conn, organization_id="org", key="k2", fingerprint="f", run=run, then=then
            )
        assert await conn.fetchval(STORED, "k2") is None
