"""`woken`: a loop waiting on an event ends when cancelled, even as the event is set."""

from __future__ import annotations

import asyncio

import pytest

from warmlink.waits import woken


async def test_set_and_unset_events() -> None:
    event = asyncio.Event()
    assert await woken(event, 0.01) is False
    event.set()
    assert await woken(event, 10) is True


async def test_a_cancellation_in_the_turn_the_event_is_set_is_not_lost() -> None:
    event = asyncio.Event()

    async def loop() -> None:  # a worker's wait loop
        while True:
            await woken(event, 3600)
            event.clear()

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)  # the loop is waiting
    event.set()
    task.cancel()
    for _ in range(10):  # a few loop turns; no wall time involved
        await asyncio.sleep(0)
    assert task.done(), "the loop swallowed its cancellation and runs on"
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_cancellation_a_library_swallowed_ends_the_loop_at_its_next_wait() -> None:
    event = asyncio.Event()
    turns = 0

    async def swallowing_call() -> None:  # as wait_for inside a client library can on 3.11
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass

    async def loop() -> None:
        nonlocal turns
        while True:
            turns += 1
            await swallowing_call()
            await woken(event, 0)

    task = asyncio.create_task(loop())
    await asyncio.sleep(0)  # inside the call that swallows
    task.cancel()
    for _ in range(10):
        await asyncio.sleep(0)
    assert task.done() and turns == 1, "the loop ran on after its cancellation was swallowed"
    with pytest.raises(asyncio.CancelledError):
        await task
