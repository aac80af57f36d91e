"""`warmlink faults run`: the network under the simulator's traffic and a seeded fault schedule,
then settled and checked (docs/operations.md "The fault campaign").

Traffic runs in this process's event loop (the simulator with a client that retries failed
requests with the same Idempotency-Key); the faults are applied one after another from a thread,
each printed as it is applied. Traffic stops once the last fault is behind the network; the
recovery time runs from that moment to the moment everything has settled.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.faults import checks as verify
from tools.faults.client import Ledger, RetryingApi
from tools.faults.inject import Applied, apply
from tools.faults.network import Network, start_network
from tools.faults.schedule import Fault, plan
from tools.faults.settle import SETTLE_DEADLINE_S, Backlog, wait_settled
from tools.sim.api import Api, Urls
from tools.sim.runner import Options as SimOptions
from tools.sim.runner import simulate
from tools.sim.tally import Tally

RECOVERY_LIMIT_S = 60.0
WARMUP_S = 5.0  # traffic under way before the first fault


@dataclass(frozen=True)
class Options:
    faults: int = 50
    seed: int = 1
    state_dir: Path | None = None  # a new temporary folder when None
    rate: float = 120.0  # screens per real minute
    speed: float = 60.0  # simulated minutes per real second
    settle_s: float = SETTLE_DEADLINE_S
    recovery_limit_s: float = RECOVERY_LIMIT_S


@dataclass
class Result:
    applied: list[Applied] = field(default_factory=list)
    checks: list[verify.Check] = field(default_factory=list)
    figures: verify.Figures | None = None
    recovery_s: float | None = None  # None: never settled
    backlog: Backlog | None = None
    tally: Tally | None = None
    ledger: Ledger = field(default_factory=Ledger)
    state_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def by_kind(self) -> Counter[str]:
        return Counter(a.fault.counted_as for a in self.applied)


def run_campaign(options: Options, say: Callable[[str], None] = print) -> Result:
    """Start the network, run the campaign on it, stop it."""
    state = options.state_dir or Path(tempfile.mkdtemp(prefix="warmlink-faults-"))
    say(f"starting the network in {state} ...")
    net = start_network(state)
    try:
        result = asyncio.run(campaign(net, options, say))
    finally:
        net.stop()
    result.state_dir = state
    return result


async def campaign(net: Network, options: Options, say: Callable[[str], None]) -> Result:
    """Traffic and the faults on a running network, then settling and the checks."""
    result = Result(state_dir=net.stack.state_dir)
    ledger = Ledger()
    stop = asyncio.Event()
    urls = Urls(*(net.url(s) for s in ("screening", "directory", "referral", "followup")))
    traffic_options = SimOptions(
        net.stack.state_dir, urls, options.seed, options.rate, options.speed, None, net.admin_org
    )

    def client(u: Urls, key: bytes, tally: Tally) -> Api:
        return RetryingApi(u, key, tally, ledger)

    traffic = asyncio.create_task(simulate(traffic_options, client=client, stop=stop))
    started = time.monotonic()
    say(f"network up; traffic at {options.rate:g} screens/min; {options.faults} faults, "
        f"seed {options.seed}")  # fmt: skip
    await asyncio.sleep(WARMUP_S)
    schedule = plan(options.faults, options.seed)
    result.applied = await asyncio.get_running_loop().run_in_executor(
        net.hands, _apply_all, net, schedule, started, say
    )
    last_end = max((a.ends_at for a in result.applied), default=time.monotonic())
    await asyncio.sleep(max(0.0, last_end - time.monotonic()))
    say(f"[{time.monotonic() - started:6.1f}s] last fault behind; stopping traffic, settling")
    stop.set()
    result.tally = await traffic
    settled, result.backlog = await wait_settled(net, options.settle_s)
    result.recovery_s = time.monotonic() - last_end if settled else None
    result.ledger = ledger
    await check(net, options, result)
    return result


def _apply_all(
    net: Network, schedule: list[Fault], started: float, say: Callable[[str], None]
) -> list[Applied]:
    applied = []
    for fault in schedule:
        time.sleep(fault.gap_before_s)
        at = time.monotonic() - started
        done = apply(net, fault)
        say(f"[{at:6.1f}s] fault {fault.number}/{len(schedule)} {fault.label}: {done.note}")
        applied.append(done)
    return applied


async def check(net: Network, options: Options, result: Result) -> None:
    """Fill in `result`'s checks and figures from the databases, its ledger and the log."""
    ledger = result.ledger
    screen_checks, screens = await verify.keyed_records(
        net, ledger, "screening", "screen", verify.SCREENINGS
    )
    referral_checks, referrals = await verify.keyed_records(
        net, ledger, "referral", "referral", verify.REFERRALS
    )
    notification_checks, notifications, wire = await verify.notifications(net)
    dead, letters = await verify.dead_letters(net)
    recovered = result.recovery_s is not None and result.recovery_s <= options.recovery_limit_s
    settled_detail = f"last seen: {result.backlog}" if result.recovery_s is None else ""
    result.checks = [
        verify.Check("settled (outbox, consumers, webhooks, invariant)",
                     int(result.recovery_s is None), settled_detail),
        verify.Check(f"recovered within {options.recovery_limit_s:g}s", int(not recovered),
                     f"{result.recovery_s}"),
        *screen_checks,
        *referral_checks,
        await verify.events_applied(net),
        await verify.timelines(net),
        await verify.holds(net),
        *notification_checks,
        dead,
    ]  # fmt: skip
    lost = sum(c.failures for c in result.checks if "(lost)" in c.name)
    lost += sum(c.failures for c in notification_checks if "given up" in c.name)
    duplicated = sum(c.failures for c in result.checks if "(duplicated)" in c.name)
    result.figures = verify.Figures(
        referrals_submitted=referrals,
        screens_recorded=screens,
        lost=lost,
        duplicated=duplicated,
        wire_duplicates=wire,
        notifications=notifications,
        client_retries=ledger.retries,
        dead_letters=letters,
    )


def summary(result: Result, options: Options) -> list[str]:
    """The run's last word, as printed."""
    f = result.figures
    assert f is not None
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(result.by_kind().items()))
    recovery = "never (not settled)" if result.recovery_s is None else f"{result.recovery_s:.1f} s"
    lines = [
        f"fault campaign: seed {options.seed}, {len(result.applied)} faults applied",
        f"  by kind: {kinds}",
        f"  referrals submitted: {f.referrals_submitted} (screens recorded: "
        f"{f.screens_recorded}; client requests sent again: {f.client_retries})",
        f"  lost: {f.lost}",
        f"  duplicated effects: {f.duplicated} (webhook-ids received again at the wire, "
        f"applied once: {f.wire_duplicates})",
        f"  notifications numbered: {f.notifications}; dead letters: {f.dead_letters}",
        f"  recovery after the last fault: {recovery} (limit {options.recovery_limit_s:g} s)",
        "  checks:",
    ]
    for c in result.checks:
        mark = "ok  " if c.ok else "FAIL"
        lines.append(f"    {mark} {c.name}" + (f" -- {c.detail}" if c.detail else ""))
    lines.append("verdict: " + ("PASS" if result.ok else "FAIL"))
    return lines
