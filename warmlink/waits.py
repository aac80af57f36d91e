"""Waiting for an event with a time limit, in loops that must end when cancelled."""

from __future__ import annotations

import asyncio


async def woken(event: asyncio.Event, within_s: float) -> bool:
    """Wait until `event` is set or `within_s` has passed; True when it was set.

    Not `asyncio.wait_for`: on Python 3.11, a cancellation that arrives in the same loop turn
    as the event is swallowed (wait_for returns the event's result; CPython gh-86296), so a
    background loop cancelled at shutdown just as it was woken runs on, and whoever awaits its
    end waits forever. `asyncio.timeout` counts cancellations and never loses one.

    Libraries we await (database and SMTP clients that time out with wait_for) can swallow a
    cancellation the same way. The task still counts it (`cancelling()`), so every wait here is
    also where a loop honours a cancellation that was lost on its way.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
    try:
        async with asyncio.timeout(within_s):
            await event.wait()
    except TimeoutError:
        return False
    return True
