"""A relay or consumer task that raises is restarted, counted and shown by `/ready` while down.

The faults are bugs injected through a test hook: the code a task runs raises an exception
nobody planned for (not a database or broker error, which the tasks already wait out).
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.harness import (
    EFFECTS,
    effect_count,
    emit,
    relay_caught_up,
    screen,
    settings_for,
)
from tests.integration.test_ops_metrics import Scraper, restore_root_logger, serving
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.service import Runtime

__all__ = ["restore_root_logger"]  # the fixture, used here by name

QUICK_RESTARTS = {"task_restart_initial_s": 0.05, "task_restart_max_s": 0.2}


class InjectedBug(RuntimeError):
    """What the test hook raises: an error no task handles."""


async def _failed(scraper: Scraper) -> list[str]:
    ready = await scraper.client.get("/ready")
    if ready.status_code == 200:
        return []
    return str(ready.json()["failed"]).split(",")


async def _restarts(scraper: Scraper, task: str) -> float:
    return await scraper.value("warmlink_background_task_restarts_total", task=task) or 0.0


async def test_a_relay_that_raises_is_restarted_and_ready_names_it_until_it_runs(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, database_url, consumers_enabled=False, **QUICK_RESTARTS)
    async with serving(settings, tmp_path) as (scraper, rt):
        await eventually(lambda: _failed(scraper), until=lambda f: f == [], what="ready")
        broken = True
        publish_batch = rt.relay.publish_batch

        async def buggy() -> int:
            if broken:
                raise InjectedBug("a bug in the relay")
            return await publish_batch()

        rt.relay.publish_batch = buggy  # type: ignore[method-assign]
        await emit(rt, screen("while-the-relay-is-broken"))
        await eventually(
            lambda: _failed(scraper), until=lambda f: "relay" in f, what="/ready naming the relay"
        )
        await eventually(
            lambda: _restarts(scraper, "relay"), until=lambda n: n >= 2, what="restarts counted"
        )
        assert await scraper.value("warmlink_background_task_up", task="relay") == 0

        broken = False
        await relay_caught_up(rt, "the event published by the restarted relay")
        await eventually(lambda: _failed(scraper), until=lambda f: f == [], what="ready again")
        assert await scraper.value("warmlink_background_task_up", task="relay") == 1
        assert not any(t.done() for t in rt.tasks)


async def test_a_consumer_that_raises_is_restarted_and_applies_the_event(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, database_url, **QUICK_RESTARTS)
    async with serving(settings, tmp_path, subscriptions=[EFFECTS]) as (scraper, rt):
        consumer = rt.consumers[0]
        process = consumer.process
        crashes = 0

        async def buggy_once(records):  # type: ignore[no-untyped-def]
            nonlocal crashes
            if crashes == 0:
                crashes += 1
                raise InjectedBug("a bug in the consumer")
            await process(records)

        consumer.process = buggy_once  # type: ignore[method-assign]
        await emit(rt, screen("across-a-crash"))
        await eventually(lambda: effect_count(rt), until=lambda n: n == 1, what="the effect")
        assert crashes == 1
        assert await _restarts(scraper, EFFECTS.consumer) == 1
        await eventually(lambda: _failed(scraper), until=lambda f: f == [], what="ready again")
        assert await _task_alive(rt)


async def _task_alive(rt: Runtime) -> bool:
    return not any(t.done() for t in rt.tasks)
