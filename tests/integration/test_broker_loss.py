"""The broker is never the system of record: after it comes back empty, the outbox refills it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.harness import (
    effect_count,
    emit,
    relay_caught_up,
    running,
    screen,
    settings_for,
)
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.kafka import ensure_topics
from warmlink.outbox import mark_for_republish


async def test_broker_restarted_empty_then_outbox_republish_completes_downstream_without_duplicates(
    infra: Infrastructure, database_url: str
) -> None:
    if infra.broker is None:
        pytest.skip("needs the embedded broker, which this test restarts")
    started = datetime.now(UTC) - timedelta(seconds=1)
    settings = settings_for(infra, database_url)
    async with running(settings) as rt:
        await emit(rt, *[screen(f"before-{i}") for i in range(20)])
        await eventually(lambda: effect_count(rt), until=lambda n: n == 20, what="first effects")
        await relay_caught_up(rt)

        infra.broker.restart_empty()
        await ensure_topics(settings)
        async with rt.pool.acquire() as conn, conn.transaction():
            requeued = await mark_for_republish(conn, started)
        assert requeued == 20
        await emit(rt, *[screen(f"after-{i}") for i in range(20)])

        await eventually(
            lambda: effect_count(rt),
            until=lambda n: n >= 40,
            timeout=60,
            what="effects after the broker came back",
        )
        consumer = rt.consumers[0]
        await eventually(
            lambda: _duplicates(consumer),
            until=lambda n: n >= 20,
            timeout=30,
            what="republished events recognised as already processed",
        )
        assert await effect_count(rt) == 40
        assert await rt.pool.fetchval("SELECT count(DISTINCT event_id) FROM effects") == 40


async def _duplicates(consumer) -> int:  # type: ignore[no-untyped-def]
    return int(consumer.stats.duplicates)
