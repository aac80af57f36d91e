"""Wait on a condition with a deadline: tests never sleep a fixed time for an event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool] = bool,
    timeout: float = 15.0,
    what: str = "condition",
) -> T:
    deadline = time.monotonic() + timeout
    value = await probe()
    while not until(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {value!r}")
        await asyncio.sleep(0.02)
        value = await probe()
    return value


async def said_or_ended(
    caplog: pytest.LogCaptureFixture, task: asyncio.Task[Any], text: str
) -> bool:
    """A background task has met what the test arranged: it logged `text`, or it ended (which
    the test then fails on)."""
    return task.done() or any(text in r.getMessage() for r in caplog.records)


async def cancelled(task: asyncio.Task[Any]) -> None:
    """Cancel a background task the test started and wait until it has ended."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
