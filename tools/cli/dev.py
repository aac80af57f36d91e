"""`warmlink dev`: start the whole network on embedded defaults and stop it cleanly on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from rich.console import Console

from tools.dev.people import create_portal_client, provision_people
from tools.dev.processes import die_with_parent, spawn, stop
from tools.dev.seed import REGION, seed_region
from tools.dev.stack import SERVICE_PORTS, DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token

console = Console(highlight=False, soft_wrap=True)


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def run_dev(state_dir: Path, seed: bool = True, simulate_rate: float | None = None) -> int:
    """`simulate_rate` (screens per minute) starts `warmlink simulate` in the background."""
    stack = DevStack(state_dir)
    simulation: subprocess.Popen[bytes] | None = None
    die_with_parent()  # `make` killed by SIGTERM: we stop cleanly too
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    started = time.monotonic()
    try:
        with console.status("starting PostgreSQL and the broker..."):
            stack.start_infra()
            stack.start_mail_sink()
        console.print(
            f"[green]✓[/] PostgreSQL on 127.0.0.1:{stack.pg_port}, "
            f"broker on 127.0.0.1:{stack.kafka_port}, mail sink on 127.0.0.1:{stack.mail_port} "
            f"(state in {state_dir})"
        )
        with console.status("starting services..."):
            # The referral service last: it redirects by itself with the network's client
            # credentials, which exist once the directory holds the region.
            first = [name for name in SERVICE_PORTS if name != "referral"]
            for name in first:
                stack.start_service(name)
            for name in first:
                stack.wait_ready(name)
            resumed = (state_dir / "clients.json").exists()
            seeded = None
            if seed and not resumed:
                seeded = seed_region(
                    f"http://127.0.0.1:{SERVICE_PORTS['directory']}",
                    stack.signing_key,
                    state_dir,
                    as_verified=True,  # stale demo capacity looks stale (a development directory)
                )
            stack.start_service("referral", _network_client(state_dir))
            stack.wait_ready("referral")
        console.print(f"[green]✓[/] five services ready in {time.monotonic() - started:.1f}s")
        if seed and resumed:
            console.print("[green]✓[/] demo region already loaded (resuming with its data)")
        elif seeded is not None:
            console.print(
                f"[green]✓[/] demo region: {seeded.organizations} organizations, "
                f"{seeded.services} services; client credentials in {seeded.clients_file}"
            )
        if seed:
            _provision_people(stack)
        if simulate_rate:
            simulation = _start_simulation(stack, simulate_rate)
        _print_welcome(stack)
        while True:
            if simulation is not None and simulation.poll() is not None:
                console.print(f"[yellow]simulation ended; see {stack.logs}/simulate.log[/]")
                simulation = None
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
        if simulation is not None:  # first, so it does not count the services going away
            stop(simulation, timeout=20)
        stack.stop()
        console.print("stopped; data kept in", state_dir)


def _provision_people(stack: DevStack) -> None:
    """The portal's client and the demo people (people.json), once per state folder."""
    urls = {name: f"http://127.0.0.1:{port}" for name, port in stack.ports.items()}
    with console.status("creating the demo region's people through the portal..."):
        create_portal_client(urls["directory"], stack.signing_key, stack.state_dir, _admin_org())
        people = provision_people(urls["portal"], stack.signing_key, stack.state_dir)
    console.print(f"[green]✓[/] people who can sign in at the portal: {people} (passwords, TOTP)")


def _start_simulation(stack: DevStack, rate: float) -> subprocess.Popen[bytes]:
    """Living demo traffic through the public APIs; its summary goes to simulate.log."""
    argv = [sys.executable, "-m", "tools.sim", "--rate", str(rate)]
    argv += ["--state-dir", str(stack.state_dir), "--admin-org", _admin_org()]
    proc = spawn(argv, log_path=stack.logs / "simulate.log")
    console.print(
        f"[green]✓[/] simulating {rate:g} screens/min in the background "
        f"(warmlink simulate; log in {stack.logs}/simulate.log)"
    )
    return proc


def _network_client(state_dir: Path) -> dict[str, str]:
    """The network organization's client credentials for the referral service's own directory
    token (automatic redirects); none before the region is seeded (redirects stay manual)."""
    clients = state_dir / "clients.json"
    if not clients.exists():
        return {}
    mine = json.loads(clients.read_text()).get(_admin_org())
    if not mine:
        return {}
    return {
        "DIRECTORY_CLIENT_ID": mine["client_id"],
        "DIRECTORY_CLIENT_SECRET": mine["client_secret"],
    }


def _admin_org() -> str:
    """The demo region's network organization, whose admins see the dashboard."""
    orgs = json.loads(REGION.read_text())["organizations"]
    return next((o["id"] for o in orgs if o["kind"] == "network"), "network-admin")


def _print_welcome(stack: DevStack) -> None:
    console.print("\n[bold]Warmlink is running[/]")
    for name, port in SERVICE_PORTS.items():
        console.print(f"  {name:<10} http://127.0.0.1:{port}   (API docs: /docs)")
    console.print(
        f"\nIn the browser: http://127.0.0.1:{SERVICE_PORTS['portal']}  (sign in as a person "
        "from people.json; the code: .venv/bin/warmlink totp SECRET)"
    )
    console.print(
        f"Mail sent in development (invitations, patients' confirmations): "
        f"http://127.0.0.1:{SERVICE_PORTS['portal']}/dev/mailbox  (stored in {stack.maildir})"
    )
    admin = issue_token(
        stack.signing_key.read_bytes(), organization_id=_admin_org(), role=Role.ADMIN
    )
    console.print(
        f"\nFollow-up dashboard (admin token in the address, valid 8 hours):\n"
        f"  http://127.0.0.1:{SERVICE_PORTS['followup']}/dashboard#token={admin}"
    )
    console.print("\nGet a development token (in another terminal):")
    console.print("  TOKEN=$(.venv/bin/warmlink token --org riverside-ob --role clinic)")
    console.print("or a real one with the client credentials in clients.json:")
    console.print(
        "  curl -s -u CLIENT_ID:SECRET -d grant_type=client_credentials "
        "http://127.0.0.1:8002/oauth/token"
    )
    console.print("Record a screen:")
    console.print(
        '  curl -s -X POST http://127.0.0.1:8001/v1/screenings -H "Authorization: Bearer $TOKEN" '
        '-H \'Content-Type: application/json\' -d \'{"instrument":"PHQ-9",'
        '"answers":[2,2,2,2,1,1,0,0,1],"patient_ref":"demo-001","setting":"ob",'
        '"screened_at":"2026-01-05T10:00:00Z"}\''
    )
    console.print('  curl -s http://127.0.0.1:8003/v1/worklist -H "Authorization: Bearer $TOKEN"')
    console.print("Find a practice for an uninsured patient near downtown:")
    console.print(
        '  curl -s "http://127.0.0.1:8002/v1/matches?level_of_care=outpatient_therapy'
        '&coverage=uninsured&latitude=41.88&longitude=-87.63&telehealth_state=IL" '
        '-H "Authorization: Bearer $TOKEN"'
    )
    console.print(f"Logs: {stack.logs}/   Stop: Ctrl-C\n")
