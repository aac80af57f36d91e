"""The campaign's faults, drawn from a seed: which, in what order, how long each lasts and how long
the network runs between two. Pure; the same seed gives the same schedule."""

from __future__ import annotations

from dataclasses import dataclass

from tools.dev.stack import SERVICE_PORTS
from tools.sim.rng import stream

KILL = "kill"  # SIGKILL one service's process, restart it after `duration_s`
DIRECTORY_DOWN = "directory_down"  # the directory stopped for `duration_s` while sites submit
PG_FAST = "postgres_restart_fast"  # what `pg_ctl restart -m fast` does
PG_IMMEDIATE = "postgres_restart_immediate"  # `pg_ctl restart -m immediate`: no checkpoint
BROKER_EMPTY = "broker_restarted_empty"  # the in-memory broker comes back with nothing
RECEIVER_HANG = "receiver_hangs"  # the subscriber accepts connections and answers nothing
RECEIVER_500 = "receiver_answers_500"

# Every kind, a process kill per service (each process hosts its relay, consumers and workers).
KINDS: tuple[tuple[str, str | None], ...] = (
    *((KILL, name) for name in SERVICE_PORTS),
    (DIRECTORY_DOWN, "directory"),
    (PG_FAST, None),
    (PG_IMMEDIATE, None),
    (BROKER_EMPTY, None),
    (RECEIVER_HANG, None),
    (RECEIVER_500, None),
)
# Seconds each kind lasts (down, hanging, failing), drawn between these.
DURATIONS: dict[str, tuple[float, float]] = {
    KILL: (0.5, 3.0),
    DIRECTORY_DOWN: (3.0, 8.0),
    PG_FAST: (0.0, 0.0),
    PG_IMMEDIATE: (0.0, 0.0),
    BROKER_EMPTY: (0.0, 0.0),
    RECEIVER_HANG: (4.0, 15.0),
    RECEIVER_500: (4.0, 15.0),
}
GAP_S = (0.5, 2.5)  # traffic runs undisturbed this long between two faults


@dataclass(frozen=True)
class Fault:
    number: int  # 1-based, in order of application
    kind: str
    target: str | None  # the service, for kills
    duration_s: float
    gap_before_s: float

    @property
    def label(self) -> str:
        return f"{self.kind} {self.target}" if self.target else self.kind

    @property
    def counted_as(self) -> str:
        """The kind in the summary: kills by service."""
        return f"{self.kind}:{self.target}" if self.kind == KILL else self.kind


def plan(faults: int, seed: int) -> list[Fault]:
    """`faults` faults: every kind once while there is room (shuffled), the rest drawn at random."""
    rng = stream(seed, "faults")
    kinds = list(KINDS)
    rng.shuffle(kinds)
    chosen = kinds[:faults] + [rng.choice(KINDS) for _ in range(faults - len(kinds))]
    rng.shuffle(chosen)
    return [
        Fault(
            number,
            kind,
            target,
            round(rng.uniform(*DURATIONS[kind]), 2),
            round(rng.uniform(*GAP_S), 2),
        )
        for number, (kind, target) in enumerate(chosen, start=1)
    ]
