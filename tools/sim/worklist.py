"""A referring site's worklist work for one positive screen: the safety assessment an urgent
screen needs at once, and the coded closure of a screen that will not be referred (she declined
after a conversation, is already in care, or no practice matched), as a site would, so no screen
is left for the clocks to escalate."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from tools.sim.handoffs import Site
from tools.sim.rng import pick
from tools.sim.world import World
from warmlink.auth import Role

# What the clinician's risk assessment found (docs/api.md, "Accounting for a positive screen").
SAFETY_OUTCOME_SHARES = {
    "no_current_risk": 0.70,
    "crisis_line_contacted": 0.20,
    "emergency_evaluation": 0.08,
    "declined": 0.02,
}
NO_MATCH_NOTE = "No practice in the network matched; resources and crisis lines given."
# The screen reaches the worklist over the broker: the site's system looks again meanwhile.
ON_WORKLIST_TRIES = 100
ON_WORKLIST_EVERY_S = 0.2


async def on_worklist(world: World, site: Site, screening_id: str) -> bool:
    for _ in range(ON_WORKLIST_TRIES):
        path = f"/v1/worklist/{screening_id}"
        if await world.api.found("referral", path, org=site.id, role=Role.CLINIC):
            return True
        await asyncio.sleep(ON_WORKLIST_EVERY_S)
    world.tally.errors[("worklist", "never arrived")] += 1
    return False


async def assess(world: World, site: Site, rng: random.Random, screen: dict[str, Any]) -> bool:
    """An urgent screen's safety assessment, recorded before anything else happens to it."""
    if not await on_worklist(world, site, screen["id"]):
        return False
    outcome = pick(rng, SAFETY_OUTCOME_SHARES)
    done = await world.api.call(
        "safety assessment", "referral", "POST", f"/v1/worklist/{screen['id']}/safety-assessment",
        org=site.id, role=Role.CLINIC, json={"outcome": outcome},
    )  # fmt: skip
    if done is None:
        return False
    world.tally.assessed[outcome] += 1
    return True


async def close(world: World, site: Site, screening_id: str, reason: str) -> None:
    """Close the screen with a coded reason (`other` carries its note)."""
    if not await on_worklist(world, site, screening_id):
        return
    body = {"reason": reason} | ({"note": NO_MATCH_NOTE} if reason == "other" else {})
    done = await world.api.call(
        "close screen", "referral", "POST", f"/v1/worklist/{screening_id}/close",
        org=site.id, role=Role.CLINIC, json=body,
    )  # fmt: skip
    if done is not None:
        world.tally.closed[reason] += 1
