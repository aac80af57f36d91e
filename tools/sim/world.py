"""What every actor of one run shares: the API, the clock, the region and the tally."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from tools.sim.api import Api
from tools.sim.clock import Clock, Stopped
from tools.sim.region import Region
from tools.sim.tally import Tally


@dataclass(frozen=True)
class Submitted:
    """A referral this run made, so its practice works it (and no one else's)."""

    number: int  # the patient's number: her random stream
    service_id: str
    urgent: bool
    site_id: str = ""
    setting: str = ""


@dataclass
class World:
    api: Api
    clock: Clock
    region: Region
    tally: Tally
    seed: int
    run_id: str  # keeps idempotency keys and patient refs apart between runs
    submitted: dict[str, Submitted] = field(default_factory=dict)  # by referral id
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def spawn(self, actor: Coroutine[Any, Any, None]) -> None:
        """Run an actor beside the others; the run waits for it before its summary."""
        task = asyncio.create_task(self._guarded(actor))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def key(self, *parts: object) -> str:
        return "-".join(["sim", self.run_id, *map(str, parts)])

    async def _guarded(self, actor: Coroutine[Any, Any, None]) -> None:
        """An actor ends quietly when the run stops; a bug in one is counted, not fatal."""
        try:
            await actor
        except Stopped:
            pass
        except Exception as exc:
            self.tally.errors[("simulator", type(exc).__name__)] += 1
