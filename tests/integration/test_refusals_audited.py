"""Requests refused for their token (401) or role (403) leave audit rows, on the screening
service's app with the real broker and PostgreSQL, without a refused request ever taking a
pooled connection: refusals are noted in memory and written by the background writer."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from tests.integration.test_request_guard import (  # noqa: F401 (fixtures)
    Clients,
    every_request_connection_held,
    jwks,
    restore_root_logger,
    screening,
    within,
)
from tests.support.infra import Infrastructure
from tests.support.jwks import JwksServer
from tests.support.waiting import eventually
from warmlink.auth import Role
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate
from warmlink.refusals import Refusal, RefusalAudit

REFUSED_ROWS = """
SELECT actor, organization_id, role, reason, record_type, record_id, client_address, purpose
FROM audit_log WHERE action = 'refused' ORDER BY id"""


async def _refused_rows(pool: asyncpg.Pool, n: int) -> list[asyncpg.Record]:
    return await eventually(
        lambda: pool.fetch(REFUSED_ROWS), until=lambda rows: len(rows) >= n, what=f"{n} rows"
    )


@pytest.fixture
async def clients(
    infra: Infrastructure,
    database_url: str,
    tmp_path: Path,
    jwks: JwksServer,  # noqa: F811
) -> AsyncIterator[Clients]:
    async with screening(infra, database_url, tmp_path, jwks.url) as running:
        yield running


async def test_forged_tokens_refused_while_the_pool_is_held_are_audited_afterwards(
    clients: Clients,
) -> None:
    forged = clients.forged(20)
    async with every_request_connection_held(clients.runtime):
        refused = await within(
            10,
            "forged tokens while every request connection is held",
            asyncio.gather(*(clients.http.get("/v1/screenings/x", headers=h) for h in forged)),
        )
    assert {r.status_code for r in refused} == {401}
    rows = await _refused_rows(clients.runtime.pool, 20)
    assert len(rows) == 20
    assert {r["reason"] for r in rows} == {"key_unknown", "token_invalid"}
    assert {
        (r["actor"], r["organization_id"], r["role"], r["record_type"], r["record_id"])
        for r in rows
    } == {("unknown", "unknown", "unknown", "route", "GET /v1/screenings/{screening_id}")}
    assert {r["client_address"] for r in rows} == {"127.0.0.1"}
    tokens = {h["Authorization"].removeprefix("Bearer ") for h in forged}
    stored = " ".join(str(v) for r in rows for v in r.values())
    assert not any(t in stored or t.split(".")[1] in stored for t in tokens)


async def test_missing_expired_and_wrong_role_tokens_are_audited_with_their_reason(
    clients: Clients,
) -> None:
    expired = clients.token(now=time.time() - 7200, ttl_s=600)
    answers = [
        await clients.http.get("/v1/screenings/x"),
        await clients.http.get("/v1/screenings/x", headers={"Authorization": f"Bearer {expired}"}),
        await clients.http.get("/metrics", headers={"Authorization": f"Bearer {clients.token()}"}),
    ]
    assert [a.status_code for a in answers] == [401, 401, 403]
    rows = await _refused_rows(clients.runtime.pool, 3)
    assert [
        (r["reason"], r["actor"], r["organization_id"], r["role"], r["record_id"]) for r in rows
    ] == [
        ("token_missing", "unknown", "unknown", "unknown", "GET /v1/screenings/{screening_id}"),
        ("token_expired", "unknown", "unknown", "unknown", "GET /v1/screenings/{screening_id}"),
        ("role_not_allowed", "oak-ob:clinic", "oak-ob", str(Role.CLINIC), "GET /metrics"),
    ]


async def test_a_full_queue_drops_counts_and_logs_and_the_rest_is_written(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            await migrate(conn, discover(("runtime", RUNTIME_MIGRATIONS)))
        refusals = RefusalAudit(capacity=3)
        for i in range(5):
            refusals.note(
                Refusal(
                    "unknown",
                    "unknown",
                    "unknown",
                    None,
                    None,
                    "token_invalid",
                    f"GET /r{i}",
                    "10.0.0.1",
                )
            )
        assert (refusals.waiting, refusals.dropped) == (3, 2)
        with caplog.at_level(logging.WARNING, logger="warmlink.refusals"):
            writer = asyncio.create_task(refusals.run(pool))
            try:
                rows = await _refused_rows(pool, 3)
            finally:
                writer.cancel()
        assert [r["record_id"] for r in rows] == ["GET /r0", "GET /r1", "GET /r2"]
        assert refusals.written == 3
        dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
        assert [getattr(r, "dropped", None) for r in dropped] == [2]
    finally:
        await pool.close()
