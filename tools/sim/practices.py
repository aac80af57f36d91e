"""A receiving practice's side: it opens its inbox now and then, works each new referral
through intake, and (unless it is one that never does) confirms its capacity."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tools.sim.habits import Habits, IntakePlan, draw_habits, next_capacity, plan_intake
from tools.sim.region import Practice
from tools.sim.rng import stream
from tools.sim.world import Submitted, World
from warmlink.auth import Role


def start_practice(world: World, practice: Practice) -> None:
    already_stale = any(s.stale for s in practice.services.values())
    habits = draw_habits(stream(world.seed, "practice", practice.id), already_stale)
    world.spawn(_work_inbox(world, practice, habits))
    if habits.capacity_every is not None:
        world.spawn(_confirm_capacity(world, practice, habits.capacity_every))


async def _work_inbox(world: World, practice: Practice, habits: Habits) -> None:
    rng = stream(world.seed, "inbox", practice.id)
    seen: set[str] = set()
    await world.clock.wait(rng.uniform(0, habits.inbox_every))
    while True:
        inbox = await _as(world, practice, "intake inbox", "GET", "/v1/intake?status=submitted")
        new = [i["id"] for i in (inbox or {}).get("items", []) if _ours(world, i["id"], seen)]
        if new:
            room = await _open_slots(world, practice)
            for referral_id in new:
                seen.add(referral_id)
                submitted = world.submitted[referral_id]
                has_room = room.get(submitted.service_id, 0) > 0
                world.spawn(_intake(world, practice, habits, referral_id, submitted, has_room))
        await world.clock.wait(habits.inbox_every * rng.uniform(0.7, 1.3))


def _ours(world: World, referral_id: str, seen: set[str]) -> bool:
    return referral_id in world.submitted and referral_id not in seen


async def _open_slots(world: World, practice: Practice) -> dict[str, int]:
    """Open slots per service as the practice's own listing shows them now."""
    listing = await _listing(world, practice)
    return {
        s["id"]: s["capacity"]["available"] if _accepting(s) else 0
        for s in listing.get("services", [])
    }


def _accepting(service: dict[str, Any]) -> bool:
    capacity = service.get("capacity")
    return bool(capacity and capacity["accepting_new_patients"])


async def _intake(
    world: World,
    practice: Practice,
    habits: Habits,
    referral_id: str,
    submitted: Submitted,
    has_room: bool,
) -> None:
    rng = stream(world.seed, "intake", submitted.number)
    # A referral redirected here names another practice's service: this one's first, then.
    service = practice.services.get(submitted.service_id) or next(iter(practice.services.values()))
    modalities = service.modalities
    plan = plan_intake(rng, habits, has_room, submitted.urgent, modalities)
    await world.clock.wait(plan.review_after)
    if plan.decline:
        await _decline(world, practice, referral_id, plan.decline)
        return
    if not await _step(world, practice, referral_id, "acknowledge"):
        return
    world.tally.acknowledged += 1
    for attempt in plan.attempts:
        await world.clock.wait(attempt.after)
        body = {"channel": attempt.channel, "outcome": attempt.outcome}
        if not await _step(world, practice, referral_id, "contact-attempts", body):
            return
        world.tally.contact_attempts += 1
    if plan.unreachable:
        await _decline(world, practice, referral_id, "unable_to_reach")
        return
    await _appointment(world, practice, referral_id, plan, submitted)


async def _appointment(
    world: World, practice: Practice, referral_id: str, plan: IntakePlan, submitted: Submitted
) -> None:
    """Scheduled as far ahead as in real life, in simulated time; the outcome is recorded
    when the simulated clock gets there. The services keep real time and refuse an outcome
    before the appointment's time, so the appointment is booked for the real moment at which
    the simulated clock reaches it. A far-off one is booked weeks out in real time, as the
    network sees it (later than it allows): its outcome is beyond the run."""
    ahead = world.clock.real(plan.appointment_in)
    at = datetime.now(UTC) + (timedelta(minutes=plan.appointment_in) if plan.far_off else ahead)
    where = (
        {"location": f"{practice.id} office"}
        if plan.modality == "in_person"
        else {"telehealth_instructions": "A video link is texted 15 minutes before."}
    )
    body = {"appointment_at": at.isoformat(), "modality": plan.modality} | where
    if not await _step(world, practice, referral_id, "schedule", body):
        return
    world.tally.scheduled += 1
    if submitted.setting == "iop_php" and not plan.far_off:
        # The IOP team hears from the provider that she has the appointment, and records it:
        # the discharge gate waits for it. A far-off one is not confirmed: the network moves a
        # too-late first appointment to the next practice by itself, and a confirmation racing
        # that move is rightly refused (409, no appointment any more).
        confirmed = await world.api.call(
            "provider confirmation", "referral", "POST",
            f"/v1/referrals/{referral_id}/provider-confirmation",
            org=submitted.site_id, role=Role.CLINIC,
        )  # fmt: skip
        if confirmed is not None:
            world.tally.confirmed += 1
    if plan.far_off:
        world.tally.far_off += 1
        return
    await world.clock.wait(plan.appointment_in + 60)
    if await _step(world, practice, referral_id, "missed" if plan.no_show else "attended"):
        if plan.no_show:
            world.tally.missed += 1
        else:
            world.tally.attended += 1


async def _decline(world: World, practice: Practice, referral_id: str, reason: str) -> None:
    if await _step(world, practice, referral_id, "decline", {"reason": reason}):
        world.tally.declined[reason] += 1


async def _step(
    world: World, practice: Practice, referral_id: str, step: str, body: Any = None
) -> bool:
    path = f"/v1/intake/{referral_id}/{step}"
    return await _as(world, practice, f"intake {step}", "POST", path, body) is not None


async def _as(
    world: World, practice: Practice, what: str, method: str, path: str, body: Any = None
) -> Any | None:
    """A call to the referral service as the practice."""
    return await world.api.call(
        what, "referral", method, path, org=practice.id, role=Role.PRACTICE, json=body
    )


async def _listing(world: World, practice: Practice) -> dict[str, Any]:
    """The practice's own listing (services and capacity) from the directory; {} on failure."""
    path = f"/v1/organizations/{practice.id}/listing"
    listing = await world.api.call(
        "directory listing", "directory", "GET", path, org=practice.id, role=Role.PRACTICE
    )
    return listing or {}


async def _confirm_capacity(world: World, practice: Practice, every: float) -> None:
    rng = stream(world.seed, "capacity", practice.id)
    await world.clock.wait(rng.uniform(0, every))
    while True:
        listing = await _listing(world, practice)
        for service in listing.get("services", []):
            if service.get("capacity"):
                await _put_capacity(world, practice, rng, service)
        await world.clock.wait(every * rng.uniform(0.8, 1.2))


async def _put_capacity(
    world: World, practice: Practice, rng: random.Random, service: dict[str, Any]
) -> None:
    now = service["capacity"]
    update = next_capacity(rng, now["available"], now["maximum"], now["waitlist_length"])
    body = {
        "available": update.available,
        "maximum": update.maximum,
        "next_available_intake": (
            date.today() + timedelta(days=update.next_available_in_days)
        ).isoformat(),
        "accepting_new_patients": update.accepting_new_patients,
        "waitlist_length": update.waitlist_length,
    }
    path = f"/v1/services/{service['id']}/capacity"
    answer = await world.api.call(
        "capacity", "directory", "PUT", path, org=practice.id, role=Role.PRACTICE, json=body
    )
    if answer is not None:
        world.tally.capacity_updates += 1
