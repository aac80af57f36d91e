"""One run: load the region, start every practice, let patients arrive at the sites until the
duration is up or Ctrl-C, then let actors finish the call they are in, count, and check the
network's invariant."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.sim.api import Api, Urls
from tools.sim.clock import Clock
from tools.sim.handoffs import Site
from tools.sim.invariant import SETTLE_S, settled_invariant
from tools.sim.practices import start_practice
from tools.sim.region import Region, load_region
from tools.sim.rng import pick, stream
from tools.sim.sites import visit
from tools.sim.tally import Tally
from tools.sim.world import World
from warmlink.tokens import ensure_key_pair
from warmlink.waits import woken

# Where screens happen: OB and pediatric offices screen at every visit, hospitals at birth.
SETTING_SHARES = {"ob": 0.38, "pediatric": 0.30, "hospital": 0.22, "iop_php": 0.10}
DRAIN_S = 15.0  # longer than one request's timeout: calls under way finish and are counted


@dataclass(frozen=True)
class Options:
    state_dir: Path
    urls: Urls = field(default_factory=Urls)
    seed: int = 1
    rate: float = 20.0  # screens per real minute
    speed: float = 60.0  # simulated minutes per real second
    duration: float | None = None  # real seconds; None: until stopped
    admin_org: str = "network-admin"
    # Stop as soon as the tally shows this (a test's milestones), `duration` being the longest
    # run: how much happens in a given real second depends on how busy the machine is.
    enough: Callable[[Tally], bool] | None = None


async def simulate(
    options: Options,
    tick: Callable[[Tally], None] = lambda _: None,
    *,
    client: Callable[[Urls, bytes, Tally], Api] = Api,
    stop: asyncio.Event | None = None,
) -> Tally:
    """Run until the duration is up, SIGINT/SIGTERM or `stop` is set; `tick` sees the tally
    twice a second. `client`: how the public APIs are called (the fault campaign's retries)."""
    tally = Tally()
    signing_key = ensure_key_pair(options.state_dir / "keys")[0].read_bytes()
    api = client(options.urls, signing_key, tally)
    clock = Clock(options.speed)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, clock.stop)
    stopper = None if stop is None else asyncio.create_task(_stop_when(stop, clock))
    try:
        region = await load_region(api, options.admin_org)
        world = World(api, clock, region, tally, options.seed, uuid.uuid4().hex[:8])
        for practice in region.practices.values():
            start_practice(world, practice)
        world.spawn(_arrivals(world, options.rate))
        enough = options.enough
        done = (lambda: enough(tally)) if enough is not None else (lambda: False)
        await _until_stopped(clock, options.duration, lambda: tick(tally), done)
        clock.stop()
        await _drain(world)
        # A run stopped by a signal (Ctrl-C, `warmlink dev` shutting down) asks once, at once.
        settle = SETTLE_S if options.duration is not None else 0.0
        tally.invariant = await settled_invariant(api, options.admin_org, settle)
    finally:
        if stopper is not None:
            stopper.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await api.close()
    return tally


async def _stop_when(stop: asyncio.Event, clock: Clock) -> None:
    await stop.wait()
    clock.stop()


async def _arrivals(world: World, rate: float) -> None:
    """Patients arrive at random (a Poisson process) at `rate` screens per real minute."""
    rng = stream(world.seed, "arrivals")
    by_setting = _sites_by_setting(world.region)
    shares = {s: share for s, share in SETTING_SHARES.items() if by_setting.get(s)}
    number = 0
    while True:
        await world.clock.wait(rng.expovariate(rate / 60.0) * world.clock.speed)
        number += 1
        site = rng.choice(by_setting[pick(rng, shares)])
        world.spawn(visit(world, site, number))


def _sites_by_setting(region: Region) -> dict[str, list[Site]]:
    sites: dict[str, list[Site]] = {}
    for site in region.sites:
        sites.setdefault(site.setting, []).append(site)
    return sites


async def _until_stopped(
    clock: Clock, duration: float | None, tick: Callable[[], None], done: Callable[[], bool]
) -> None:
    deadline = None if duration is None else asyncio.get_running_loop().time() + duration
    while not clock.stopping.is_set():
        if deadline is not None and asyncio.get_running_loop().time() >= deadline:
            return
        if done():
            return
        tick()
        await woken(clock.stopping, 0.5)


async def _drain(world: World) -> None:
    """Actors stop at their next wait; the ones inside a request finish it first."""
    pending = set(world.tasks)
    if pending:
        _, late = await asyncio.wait(pending, timeout=DRAIN_S)
        for task in late:
            task.cancel()
