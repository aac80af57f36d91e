"""Applying one fault of the schedule to the running network, and ending it.

Kills and the directory's outage end when the process is back and ready; a PostgreSQL or broker
restart when the server accepts connections again; a subscriber's outage is left running (it ends
by itself at its time) while the next faults are applied.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass

from tools.faults import schedule as s
from tools.faults.network import READY_S, Network


@dataclass(frozen=True)
class Applied:
    fault: s.Fault
    at: float  # monotonic, when applied
    ends_at: float  # monotonic, when the network had it behind it (or will, for the subscriber)
    note: str


def apply(net: Network, fault: s.Fault) -> Applied:
    at = time.monotonic()
    note = ""
    if fault.kind == s.KILL:
        assert fault.target is not None
        note = _kill_and_restart(net, fault.target, fault.duration_s)
    elif fault.kind == s.DIRECTORY_DOWN:
        net.stack.stop_service("directory")
        time.sleep(fault.duration_s)
        note = _restart(net, "directory")
    elif fault.kind in (s.PG_FAST, s.PG_IMMEDIATE):
        assert net.stack.postgres is not None
        net.stack.postgres.restart(immediate=fault.kind == s.PG_IMMEDIATE)
        note = f"accepting again after {time.monotonic() - at:.1f}s"
    elif fault.kind == s.BROKER_EMPTY:
        assert net.stack.broker is not None
        net.stack.broker.restart_empty()
        note = f"empty broker up after {time.monotonic() - at:.1f}s"
    elif fault.kind == s.RECEIVER_HANG:
        ends = net.subscriber.hang_for(fault.duration_s)
        return Applied(fault, at, ends, f"for {fault.duration_s:.1f}s")
    elif fault.kind == s.RECEIVER_500:
        ends = net.subscriber.fail_for(fault.duration_s)
        return Applied(fault, at, ends, f"for {fault.duration_s:.1f}s")
    else:
        raise ValueError(f"unknown fault {fault.kind}")
    return Applied(fault, at, time.monotonic(), note)


def _kill_and_restart(net: Network, name: str, down_s: float) -> str:
    proc = net.stack.services[name]
    pid = proc.pid
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    time.sleep(down_s)
    return f"pid {pid} killed; " + _restart(net, name)


def _restart(net: Network, name: str) -> str:
    started = time.monotonic()
    net.start_service(name)
    net.stack.wait_ready(name, READY_S)
    return f"back and ready in {time.monotonic() - started:.1f}s"
