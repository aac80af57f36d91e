"""A doorbell: many waiters (the worker, SSE streams) woken at once when notifications change.

Ringing replaces the event, so a waiter that takes `current()` before reading the database and
waits on it afterwards cannot miss a ring that came in between.
"""

from __future__ import annotations

import asyncio

from warmlink.waits import woken


class Doorbell:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def current(self) -> asyncio.Event:
        return self._event

    def ring(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seen: asyncio.Event, at_most_s: float) -> None:
        """Until a ring after `seen` was taken, or `at_most_s` (the polling fallback)."""
        await woken(seen, at_most_s)
