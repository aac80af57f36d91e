"""The run's last word: the network's invariant (`GET /v1/invariant` on the follow-up service).

Events of the run's last moments are still on their way when the actors stop (a screen's
assessment read before the screen itself looks unwatched for an instant), so the simulator asks
again until the network reports zero or the settling time is up, and keeps the last count.
"""

from __future__ import annotations

import asyncio
import time

from tools.sim.api import Api
from warmlink.auth import Role

SETTLE_S = 30.0
ASK_EVERY_S = 0.5


async def settled_invariant(api: Api, admin_org: str, settle_s: float = SETTLE_S) -> int | None:
    """The violations' count once it is zero or `settle_s` has passed; None if never answered."""
    deadline = time.monotonic() + settle_s
    count: int | None = None
    while True:
        report = await api.call(
            "invariant", "followup", "GET", "/v1/invariant", org=admin_org, role=Role.ADMIN
        )
        if report is not None:
            count = int(report["count"])
        if count == 0 or report is None or time.monotonic() >= deadline:
            return count
        await asyncio.sleep(ASK_EVERY_S)
