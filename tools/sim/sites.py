"""A referring site's side of one patient: the screen, then for a positive one the safety
assessment (urgent), and the match and the warm handoff or the screen's coded closure, all
through the public APIs."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from tools.sim.answers import DrawnScreen, draw_screen
from tools.sim.handoffs import (
    Site,
    choose_match,
    draw_method,
    draw_needs,
    draw_not_referred,
    fake_patient,
    setting_fields,
)
from tools.sim.rng import stream
from tools.sim.worklist import assess, close
from tools.sim.world import Submitted, World
from warmlink.auth import Role


async def visit(world: World, site: Site, number: int) -> None:
    rng = stream(world.seed, "patient", number)
    drawn = draw_screen(rng, site.setting)
    screen = await _screen(world, site, number, drawn)
    if screen is None:
        return
    world.tally.screens += 1
    if not screen["positive"]:
        return
    world.tally.positives += 1
    world.tally.urgent += bool(screen["urgent"])
    # Her own stream for the worklist's choices: the draws above and below stay as they were.
    choices = stream(world.seed, "worklist", number)
    if screen["urgent"] and not await assess(world, site, choices, screen):
        return
    reason = draw_not_referred(choices)
    if reason is not None:
        await close(world, site, screen["id"], reason)
        return
    await _refer(world, site, number, rng, screen)


async def _screen(
    world: World, site: Site, number: int, drawn: DrawnScreen
) -> dict[str, Any] | None:
    body = {
        "instrument": drawn.instrument,
        "answers": drawn.answers,
        "patient_ref": world.key("pt", number),
        "setting": site.setting,
        "screened_at": datetime.now(UTC).isoformat(),
    }
    answer: dict[str, Any] | None = await world.api.call(
        "screening", "screening", "POST", "/v1/screenings",
        org=site.id, role=Role.CLINIC, json=body, key=world.key("screen", number),
    )  # fmt: skip
    return answer


async def _refer(
    world: World, site: Site, number: int, rng: random.Random, screen: dict[str, Any]
) -> None:
    urgent = bool(screen["urgent"])
    needs = draw_needs(rng, site, urgent, world.region.plans)
    found = await world.api.call(
        "matches", "directory", "GET", "/v1/matches",
        org=site.id, role=Role.CLINIC, params=needs.match_query(urgent),
    )  # fmt: skip
    if found is None:
        return
    ours = [m for m in found["matches"] if m["organization_id"] in world.region.practices]
    match = choose_match(rng, ours)
    if match is None:
        world.tally.no_match += 1
        await close(world, site, screen["id"], "other")
        return
    method = draw_method(rng, site.setting)
    staff = rng.randint(1, 6)
    body = {
        "screening_id": screen["id"],
        "practice_id": match["organization_id"],
        "service_id": match["service_id"],
        "patient_ref": screen["patient_ref"],
        "setting": site.setting,
        "method": method,
        "urgency": "urgent" if urgent else "routine",
        # A coordinator completes the handoff for the clinician who saw her.
        "referrer_id": f"sim-{'coordinator' if method == 'coordinator' else 'clinician'}-{staff}",
        "acting_for": f"sim-clinician-{staff}" if method == "coordinator" else None,
        "patient": fake_patient(rng, number),
        "consent": {"given": True},
        "match_criteria": needs.criteria(),
    } | setting_fields(rng, site.setting, number, datetime.now(UTC))
    made = await world.api.call(
        "referral", "referral", "POST", "/v1/referrals",
        org=site.id, role=Role.CLINIC, json=body, key=world.key("referral", number),
    )  # fmt: skip
    if made is None:
        return
    world.tally.referrals[method] += 1
    world.submitted[made["id"]] = Submitted(
        number, match["service_id"], urgent, site.id, site.setting
    )
    if site.setting == "iop_php":
        await _send_discharge_summary(world, site, made["id"])


async def _send_discharge_summary(world: World, site: Site, referral_id: str) -> None:
    """The IOP team attaches the discharge summary after the handoff, as a document. Synthetic
    text about no one: the simulation holds no patient's words."""
    summary = f"Simulated IOP discharge summary for referral {referral_id}.".encode()
    sent = await world.api.call(
        "discharge summary", "referral", "PUT", f"/v1/referrals/{referral_id}/discharge-summary",
        org=site.id, role=Role.CLINIC, document=(summary, "text/plain; charset=utf-8"),
    )  # fmt: skip
    if sent is not None:
        world.tally.summaries += 1
