"""SSE resume point and the doorbell that wakes streams and the worker."""

import asyncio
import time

from services.referral.subscriptions.adapters.wakeup import Doorbell
from services.referral.subscriptions.entrypoints.notifications import resume_after


def test_last_event_id_wins_over_since_and_garbage_is_ignored() -> None:
    assert resume_after("5", -1) == 5
    assert resume_after(" 7 ", 2) == 7
    assert resume_after(None, 3) == 3
    for garbage in ["", "abc", "-1", "1.5"]:
        assert resume_after(garbage, 3) == 3


async def test_a_ring_between_reading_and_waiting_is_not_missed() -> None:
    bell = Doorbell()
    seen = bell.current()
    bell.ring()  # arrives while the waiter is still reading the database
    await asyncio.wait_for(bell.wait(seen, 5.0), 1.0)
    assert bell.current() is not seen


async def test_every_waiter_sleeps_until_the_ring_then_all_wake() -> None:
    bell = Doorbell()
    waiters = [asyncio.create_task(bell.wait(bell.current(), 5.0)) for _ in range(3)]
    await asyncio.sleep(0.05)
    assert not any(w.done() for w in waiters), "nobody wakes before the ring"
    bell.ring()
    await asyncio.wait_for(asyncio.gather(*waiters), 1.0)


async def test_no_ring_means_waiting_out_the_fallback_timeout() -> None:
    bell = Doorbell()
    started = time.monotonic()
    await bell.wait(bell.current(), 0.2)  # returns after the timeout, no exception
    assert time.monotonic() - started >= 0.19
