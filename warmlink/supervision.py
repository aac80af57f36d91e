"""Background tasks that come back: a task that raises is logged, counted and restarted.

The relay, each consumer and a service's workers run for the life of the process. Before, one
that raised (a bug, an error nobody expected) logged once and stayed dead until someone noticed
and restarted the process, while `/health` said all was well. Now `supervise` runs a task again
after exponential backoff (with jitter, so tasks that failed together do not retry in step), and
`/ready` names it (503) from its crash until its new run has lasted as long as the wait before
it, so a crash loop keeps the service unready. Restarts are counted per task name
(`warmlink_background_task_restarts_total`).

A task is given as a function that starts a run; a coroutine object can run only once, so one
given that way is logged when it crashes and stays ended (`/ready` names it), as before.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from warmlink.backoff import exponential_delay

log = logging.getLogger(__name__)
_random = secrets.SystemRandom()  # jitter only; SystemRandom keeps the linter's rule simple

Work = Callable[[], Awaitable[None]] | Awaitable[None]


@dataclass(frozen=True)
class RestartPolicy:
    initial_s: float = 0.5
    max_s: float = 30.0


@dataclass
class TaskHealth:
    name: str
    restarts: int = 0
    crashed_at: float | None = None  # loop time of the last crash, None until one
    running_since: float | None = None  # loop time the current run started, None while waiting
    settle_s: float = 0.0  # how long the current run must last to count as up again

    def up(self, now: float) -> bool:
        if self.crashed_at is None:
            return True
        return self.running_since is not None and now - self.running_since >= self.settle_s


_HEALTH: weakref.WeakKeyDictionary[asyncio.Task[None], TaskHealth] = weakref.WeakKeyDictionary()


def health_of(task: asyncio.Task[None]) -> TaskHealth | None:
    return _HEALTH.get(task)


def is_down(task: asyncio.Task[None]) -> bool:
    """Ended, or crashed and not yet running well again."""
    if task.done():
        return True
    health = _HEALTH.get(task)
    return health is not None and not health.up(asyncio.get_running_loop().time())


def supervise(name: str, work: Work, policy: RestartPolicy = RestartPolicy()) -> asyncio.Task[None]:
    if not callable(work):
        return asyncio.create_task(_once(name, work), name=name)
    health = TaskHealth(name)
    task = asyncio.create_task(_restarting(health, work, policy), name=name)
    _HEALTH[task] = health
    return task


async def _once(name: str, coro: Awaitable[None]) -> None:
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task crashed", extra={"task": name})
        raise


async def _restarting(
    health: TaskHealth, start: Callable[[], Awaitable[None]], policy: RestartPolicy
) -> None:
    loop = asyncio.get_running_loop()
    crashes_in_a_row = 0
    while True:
        health.running_since = loop.time()
        try:
            await start()
            return  # it ended on its own: asked to stop
        except asyncio.CancelledError:
            raise
        except Exception:
            now = loop.time()
            if now - health.running_since >= policy.max_s:
                crashes_in_a_row = 0  # it had run well for a while: start the backoff over
            crashes_in_a_row += 1
            delay = exponential_delay(
                crashes_in_a_row, policy.initial_s, policy.max_s, jitter=_random.random()
            )
            health.crashed_at, health.running_since = now, None
            health.restarts += 1
            health.settle_s = max(delay, policy.initial_s)
            log.exception(
                "background task crashed; restarting it",
                extra={"task": health.name, "restarts": health.restarts, "delay_s": delay},
            )
        await asyncio.sleep(health.settle_s)
