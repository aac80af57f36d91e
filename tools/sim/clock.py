"""Simulated time: `speed` simulated minutes pass per real second.

Actors wait only through `Clock.wait`, which ends early with `Stopped` when the run ends. So a
run stops between API calls, never in the middle of one, and what it counted is what happened.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from warmlink.waits import woken


class Stopped(Exception):
    pass


class Clock:
    def __init__(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be above zero")
        self.speed = speed
        self.stopping = asyncio.Event()
        self._started = time.monotonic()

    def real(self, minutes: float) -> timedelta:
        """How long `minutes` of simulated time take on the services' (real) clocks."""
        return timedelta(seconds=minutes / self.speed)

    def simulated_minutes(self) -> float:
        return (time.monotonic() - self._started) * self.speed

    async def wait(self, minutes: float) -> None:
        """Let `minutes` of simulated time pass; raise Stopped if the run ends meanwhile."""
        if self.stopping.is_set():
            raise Stopped
        await woken(self.stopping, minutes / self.speed)
        if self.stopping.is_set():
            raise Stopped

    def stop(self) -> None:
        self.stopping.set()
