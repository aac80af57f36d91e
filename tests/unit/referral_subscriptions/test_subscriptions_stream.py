"""SSE resume point and the doorbell that wakes streams and the worker."""

import asyncio

from services.referral.subscriptions.events import resume_after
from services.referral.subscriptions.wakeup import Doorbell


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


async def test_every_waiter_wakes_and_no_ring_means_the_fallback_timeout() -> None:
    bell = Doorbell()
    waiters = [asyncio.create_task(bell.wait(bell.current(), 5.0)) for _ in range(3)]
    await asyncio.sleep(0)
    bell.ring()
    await asyncio.wait_for(asyncio.gather(*waiters), 1.0)
    await bell.wait(bell.current(), 0.01)  # returns after the timeout, no exception
