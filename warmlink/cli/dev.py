"""`warmlink dev`: start the whole network on embedded defaults and stop it cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType

from rich.console import Console

from warmlink.dev.processes import die_with_parent
from warmlink.dev.seed import demo_organizations, seed_organizations
from warmlink.dev.stack import SERVICE_PORTS, DevStack

console = Console(highlight=False, soft_wrap=True)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def run_dev(state_dir: Path, seed: bool = True) -> int:
    stack = DevStack(state_dir)
    die_with_parent()  # `make` killed by SIGTERM: we stop cleanly too
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    started = time.monotonic()
    try:
        with console.status("starting PostgreSQL and the broker..."):
            stack.start_infra()
        console.print(
            f"[green]✓[/] PostgreSQL on 127.0.0.1:{stack.pg_port}, "
            f"broker on 127.0.0.1:{stack.kafka_port} (state in {state_dir})"
        )
        with console.status("starting services..."):
            for name in SERVICE_PORTS:
                stack.start_service(name)
            for name in SERVICE_PORTS:
                stack.wait_ready(name)
        console.print(f"[green]✓[/] four services ready in {time.monotonic() - started:.1f}s")
        if seed:
            count = seed_organizations(
                f"http://127.0.0.1:{SERVICE_PORTS['directory']}", stack.signing_key
            )
            console.print(f"[green]✓[/] {count} demo organizations seeded")
        _print_welcome(stack)
        while True:
            dead = stack.exited()
            if dead:
                for name, code in dead.items():
                    console.print(f"[red]✗ {name} exited with code {code}[/]; last log lines:")
                    console.print(stack.log_tail(name))
                return 1
            time.sleep(0.5)
    except _Stop:
        console.print("\nstopping: draining services, then broker and database...")
        return 0
    except Exception as exc:
        console.print(f"[red]✗ {exc}[/]")
        for name in stack.services:
            if stack.log_tail(name):
                console.print(f"--- {name} log ---\n{stack.log_tail(name)}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stack.stop()
        console.print("stopped; data kept in", state_dir)


def _print_welcome(stack: DevStack) -> None:
    console.print("\n[bold]Warmlink is running[/]")
    for name, port in SERVICE_PORTS.items():
        console.print(f"  {name:<10} http://127.0.0.1:{port}   (API docs: /docs)")
    clinic = next(o["id"] for o in demo_organizations() if o["kind"] == "ob")
    console.print("\nGet a token (in another terminal):")
    console.print(f"  .venv/bin/warmlink token --org {clinic} --role clinic")
    console.print("Record a screen:")
    console.print(
        '  curl -s -X POST http://127.0.0.1:8001/v1/screenings -H "Authorization: Bearer $TOKEN" '
        '-H \'Content-Type: application/json\' -d \'{"instrument":"PHQ-9",'
        '"answers":[2,2,2,2,1,1,0,0,1],"patient_ref":"demo-001","setting":"ob",'
        '"screened_at":"2026-01-05T10:00:00Z"}\''
    )
    console.print('  curl -s http://127.0.0.1:8003/v1/worklist -H "Authorization: Bearer $TOKEN"')
    console.print(f"Logs: {stack.logs}/   Stop: Ctrl-C\n")
