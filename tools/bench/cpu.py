"""Where a benchmark's CPU goes: the processes this run started, by role, read from /proc.

A throughput figure on a box whose cores are all busy is CPU per request turned upside down, so
the run that reports one can also say what each request cost and who spent it. Only this
process and its descendants are counted (PostgreSQL's backends, the broker, the services, the
floor); whatever else the machine runs is not. A process that exits between two readings is
lost to them: the load generator reports its own CPU (`LoadResult.cpu_s`) for that reason.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")
# The first pattern found in a process's command line names its role; order matters, the
# webhook process's command line also contains "services.referral".
ROLES = (
    ("services.referral.subscriptions.entrypoints.delivery_process", "webhook delivery"),
    ("services.referral", "referral service"),
    ("services.directory", "directory service"),
    ("services.screening", "screening service"),
    ("services.followup", "followup service"),
    ("services.portal", "portal"),
    ("insert_floor", "floor server"),
    ("postgres", "PostgreSQL"),
    ("tansu", "broker"),
)
BENCH = "bench (client, subscriber)"


@dataclass(frozen=True)
class Reading:
    """CPU seconds used so far by each process of the run, with its role, at monotonic `at`."""

    cpu_s: dict[int, tuple[str, float]]
    at: float


def role_of(cmdline: str) -> str:
    for pattern, role in ROLES:
        if pattern in cmdline:
            return role
    return "other"


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, user + system CPU seconds), or None when the process is gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces and parens
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def read(root: int | None = None) -> Reading:
    """The CPU used so far by `root` (this process by default) and every descendant."""
    root = os.getpid() if root is None else root
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parent[int(entry.name)], used[int(entry.name)] = stat
    children: dict[int, list[int]] = {}
    for pid, ppid in parent.items():
        children.setdefault(ppid, []).append(pid)
    found: dict[int, tuple[str, float]] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in used:
            found[pid] = (BENCH if pid == root else role_of(_cmdline(pid)), used[pid])
        stack.extend(children.get(pid, []))
    return Reading(found, time.monotonic())


def spent(before: Reading, after: Reading) -> dict[str, float]:
    """CPU seconds by role between two readings. A process started in between counts whole."""
    by_role: dict[str, float] = {}
    for pid, (role, cpu_s) in after.cpu_s.items():
        earlier = before.cpu_s.get(pid)
        used = cpu_s - (earlier[1] if earlier is not None and earlier[0] == role else 0.0)
        by_role[role] = by_role.get(role, 0.0) + max(used, 0.0)
    return by_role


def per_request_ms(by_role: dict[str, float], requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request by role, the roles that spent anything, and `total`."""
    if requests <= 0:
        return {}
    shares = {role: 1000 * cpu_s / requests for role, cpu_s in by_role.items() if cpu_s > 0}
    return {role: round(ms, 3) for role, ms in shares.items()} | {
        "total": round(sum(shares.values()), 3)
    }


def cores_busy(by_role: dict[str, float], before: Reading, after: Reading) -> float:
    """How many cores the run kept busy on average between two readings."""
    return sum(by_role.values()) / max(after.at - before.at, 1e-9)


def wait_until_idle(below_cores: float = 0.2, step_s: float = 0.5, within_s: float = 30.0) -> None:
    """Until the run's processes together use less than `below_cores` (what one phase left
    behind, a relay or consumer catching up, would otherwise be billed to the next phase)."""
    deadline = time.monotonic() + within_s
    last = read()
    while time.monotonic() < deadline:
        time.sleep(step_s)
        now = read()
        if cores_busy(spent(last, now), last, now) < below_cores:
            return
        last = now


@dataclass(frozen=True)
class Phase:
    """What one phase of a run cost: CPU milliseconds per request by role (and `total`), and
    the cores it kept busy."""

    ms_per_request: dict[str, float]
    cores_busy: float


def phase(before: Reading, after: Reading, requests: int, load_generator_s: float) -> Phase:
    by_role = spent(before, after) | {"load generator": load_generator_s}
    return Phase(per_request_ms(by_role, requests), round(cores_busy(by_role, before, after), 2))


def print_table(phases: dict[str, Phase]) -> None:
    """Roles down, phases across; the costliest role of the last phase first."""
    names = list(phases)
    last = phases[names[-1]].ms_per_request
    roles = sorted(
        {role for p in phases.values() for role in p.ms_per_request} - {"total"},
        key=lambda role: -last.get(role, 0.0),
    )
    print(f"\nCPU per request (ms), by process{'':<4}" + "".join(f"{n:>16}" for n in names))
    for role in [*roles, "total"]:
        cells = "".join(f"{phases[n].ms_per_request.get(role, 0.0):>16.3f}" for n in names)
        print(f"  {role:<34}{cells}")
    print(f"  {'cores busy':<34}" + "".join(f"{phases[n].cores_busy:>16.2f}" for n in names))
