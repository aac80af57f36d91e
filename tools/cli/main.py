"""The `warmlink` command: development network, tokens, the invariant, outbox operations,
benchmarks."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from warmlink.auth import Role

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
outbox = typer.Typer(no_args_is_help=True, help="Outbox operations (after a broker lost data).")
bench = typer.Typer(no_args_is_help=True, help="Benchmarks: figures beside a floor, as ratios.")
app.add_typer(outbox, name="outbox")
faults = typer.Typer(no_args_is_help=True, help="The fault campaign: nothing lost under faults.")
app.add_typer(bench, name="bench")
seal = typer.Typer(no_args_is_help=True, help="Encryption at rest: key rotation.")
app.add_typer(seal, name="seal")
audit = typer.Typer(no_args_is_help=True, help="The audit log's tamper-evident chain.")
app.add_typer(audit, name="audit")
db = typer.Typer(no_args_is_help=True, help="Database roles: one owner, one runtime role each.")
app.add_typer(db, name="db")
deadletters = typer.Typer(
    no_args_is_help=True,
    help="Dead letters: list them, replay or discard one (releases what it held).",
)
app.add_typer(deadletters, name="deadletters")
app.add_typer(faults, name="faults")

StateDir = Annotated[
    Path, typer.Option(envvar="WARMLINK_STATE_DIR", help="Where data, keys and logs live.")
]


@app.command()
def dev(
    state_dir: StateDir = Path(".warmlink"),
    seed: bool = True,
    simulate: Annotated[
        bool, typer.Option(help="Run `warmlink simulate` in the background (living demo)")
    ] = True,
    simulate_rate: Annotated[float, typer.Option(help="Its screens per minute", min=0.1)] = 30.0,
) -> None:
    """Start broker, PostgreSQL and all five services with demo data; Ctrl-C stops everything."""
    from tools.cli.dev import run_dev

    rate = simulate_rate if simulate else None
    raise typer.Exit(run_dev(state_dir.resolve(), seed=seed, simulate_rate=rate))


@app.command()
def token(
    org: Annotated[str, typer.Option(help="Organization id, e.g. riverside-ob")],
    role: Annotated[Role, typer.Option(help="clinic, practice or admin")],
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds (at most 3600)")] = 3600,
    state_dir: StateDir = Path(".warmlink"),
) -> None:
    """Print a development token signed with the dev stack's key."""
    from warmlink.tokens import issue_token

    signing = _dev_signing_key(state_dir.resolve())
    typer.echo(issue_token(signing.read_bytes(), organization_id=org, role=role, ttl_s=ttl))


@app.command()
def totp(
    secret: Annotated[str, typer.Argument(help="A person's TOTP secret (from people.json)")],
) -> None:
    """Print the current 6-digit sign-in code for a TOTP secret (RFC 6238), as an
    authenticator app would show it."""
    from datetime import UTC

    from services.portal.domain.credentials import current_code

    try:
        typer.echo(current_code(secret, datetime.now(UTC)))
    except (ValueError, TypeError) as exc:  # not base32, or too short
        typer.echo(f"not a TOTP secret: {exc}", err=True)
        raise typer.Exit(2) from None


def _dev_signing_key(state_dir: Path) -> Path:
    """The running network's key, never a new one: the network refuses tokens signed by any other
    (the dev stack makes the pair in its state directory the first time it starts)."""
    signing = state_dir / "keys" / "signing.pem"
    if not signing.is_file():
        typer.echo(
            f"no signing key in {signing.parent} (state directory {state_dir}), so no token: "
            "the network only accepts tokens signed with the key its dev stack made there.\n"
            "Start the network first (`make run`, or `warmlink dev --state-dir DIR`), or point at "
            "the state directory of the one running: --state-dir DIR (or WARMLINK_STATE_DIR=DIR).",
            err=True,
        )
        raise typer.Exit(1)
    return signing


@app.command()
def simulate(
    rate: Annotated[float, typer.Option(help="Screens per real minute", min=0.1)] = 20.0,
    speed: Annotated[
        float, typer.Option(help="Simulated minutes per real second", min=0.01)
    ] = 60.0,
    duration: Annotated[
        float | None, typer.Option(help="Seconds to run (default: until Ctrl-C)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same choices")] = 1,
    screening_url: str = "http://127.0.0.1:8001",
    directory_url: str = "http://127.0.0.1:8002",
    referral_url: str = "http://127.0.0.1:8003",
    followup_url: str = "http://127.0.0.1:8004",
    admin_org: Annotated[str, typer.Option(help="The network's admin organization")] = (
        "network-admin"
    ),
    state_dir: StateDir = Path(".warmlink"),
) -> None:
    """Drive realistic regional traffic through the public APIs: screens, warm handoffs,
    practices working their inbox, capacity updates. Ends with a summary and the network's
    invariant (`warmlink invariant`)."""
    from tools.sim.api import Urls
    from tools.sim.runner import Options
    from tools.sim.show import run_simulate

    urls = Urls(screening_url, directory_url, referral_url, followup_url)
    options = Options(state_dir.resolve(), urls, seed, rate, speed, duration, admin_org)
    raise typer.Exit(run_simulate(options))


@app.command()
def invariant(
    followup_url: str = "http://127.0.0.1:8004",
    admin_org: Annotated[str, typer.Option(help="The network's admin organization")] = (
        "network-admin"
    ),
    state_dir: StateDir = Path(".warmlink"),
) -> None:
    """Check the whole network: every positive screen or open referral with no live clock, open
    task or terminal reason, and every urgent screen unassessed past its deadline. Exits 1 when
    there are any, 2 when the check cannot run."""
    import httpx

    from tools.cli.invariant import UNREACHABLE, exit_code, fetch_report, render
    from warmlink.tokens import issue_token

    signing = _dev_signing_key(state_dir.resolve())
    token = issue_token(signing.read_bytes(), organization_id=admin_org, role=Role.ADMIN, ttl_s=300)
    try:
        report = fetch_report(followup_url, token)
    except httpx.HTTPError as exc:
        typer.echo(f"cannot check the invariant at {followup_url}: {exc}", err=True)
        raise typer.Exit(UNREACHABLE) from exc
    for line in render(report):
        typer.echo(line)
    raise typer.Exit(exit_code(report))


@outbox.command("republish")
def republish(
    service: Annotated[str, typer.Option(help="screening, directory, referral or followup")],
    since: Annotated[datetime, typer.Option(help="Re-send events created at or after (UTC)")],
    until: Annotated[datetime | None, typer.Option(help="...and before this time")] = None,
) -> None:
    """Queue already-published events again; consumers' inboxes drop the ones they have."""
    from tools.cli.ops import republish_outbox

    count = asyncio.run(republish_outbox(service, since, until))
    typer.echo(f"{count} events queued for re-publishing by the {service} relay")


@seal.command("reseal")
def seal_reseal(
    service: Annotated[str, typer.Option(help="directory, referral, portal or screening")],
    batch_size: Annotated[int, typer.Option(help="Values per transaction", min=1)] = 500,
) -> None:
    """Seal again, with the current key (SEAL_KEY_ID), every value sealed with another one.
    Safe to stop and run again: it goes on with the values not yet moved."""
    from tools.cli.seal import reseal

    unreadable = asyncio.run(reseal(service, batch_size, typer.echo))
    if unreadable:
        typer.echo(f"{unreadable} values open with no key in the ring: left as they are", err=True)
        raise typer.Exit(1)


@seal.command("status")
def seal_status(
    service: Annotated[str, typer.Option(help="directory, referral, portal or screening")],
) -> None:
    """Count sealed values by key id: a key may leave the ring once nothing is sealed with it."""
    from tools.cli.seal import status

    totals = asyncio.run(status(service, typer.echo))
    typer.echo("by key: " + (", ".join(f"{k}: {n}" for k, n in sorted(totals.items())) or "none"))


@db.command("roles")
def db_roles(
    service: Annotated[str, typer.Option(help="screening, directory, referral, followup, portal")],
    admin_url: Annotated[
        str,
        typer.Option(
            envvar="WARMLINK_ADMIN_DATABASE_URL",
            help="A role that may create roles and databases (postgresql://admin:pw@host/postgres)",
        ),
    ],
    database: Annotated[str | None, typer.Option(help="Default: the service's name")] = None,
) -> None:
    """Make (or update) the service's owner `<db>_owner` and runtime `<db>_app` roles and hand
    it its database. Passwords from WARMLINK_DB_OWNER_PASSWORD and WARMLINK_DB_RUNTIME_PASSWORD
    (none: trust or certificate authentication)."""
    import os

    from tools.dev.roles import provision_service

    name = database or service
    passwords = (
        os.environ.get("WARMLINK_DB_OWNER_PASSWORD"),
        os.environ.get("WARMLINK_DB_RUNTIME_PASSWORD"),
    )
    asyncio.run(provision_service(admin_url, name, f"{name}_owner", f"{name}_app", passwords))
    prefix = service.upper()
    typer.echo(f"{prefix}_MIGRATION_DATABASE_URL: role {name}_owner, database {name}")
    typer.echo(f"{prefix}_DATABASE_URL:           role {name}_app, database {name}")


@audit.command("verify")
def audit_verify(
    service: Annotated[str, typer.Option(help="screening, directory, referral, followup, portal")],
    database_url: Annotated[
        str | None,
        typer.Option(help="The service's database (default: its DATABASE_URL setting)"),
    ] = None,
) -> None:
    """Recompute the audit log's chain; name the first row that breaks it (exit 1)."""
    from tools.cli.ops import verify_audit_chain

    check = asyncio.run(verify_audit_chain(service, database_url))
    if check.first_break is not None:
        broken = check.first_break
        typer.echo(
            f"{service}: audit chain BROKEN at row id {broken.row_id} "
            f"(chain {broken.chain}, place {broken.chain_seq}): {broken.problem}"
        )
        raise typer.Exit(1)
    typer.echo(
        f"{service}: audit chain intact: {check.rows} rows in {check.chains} chains, "
        f"heads {check.heads}"
    )


ServiceOption = Annotated[
    str, typer.Option(help="screening, directory, referral, followup or portal")
]


@deadletters.command("list")
def deadletters_list(
    service: ServiceOption,
    everything: Annotated[bool, typer.Option("--all", help="Resolved ones too")] = False,
) -> None:
    """Open dead letters: id, consumer, reason, error, attempts, events held back behind it."""
    from tools.cli.ops import dead_letters

    for r in asyncio.run(dead_letters(service, everything)):
        state = f"resolved ({r['resolution']})" if r["resolved_at"] else r["resolution"] or "open"
        failed = f"  replay failed: {r['replay_error']}" if r["replay_error"] else ""
        typer.echo(
            f"{r['id']}\t{r['consumer']}\t{r['reason']}\t{r['attempts']} tries\t"
            f"{r['held']} held back\t{state}\t{r['created_at']:%Y-%m-%dT%H:%M:%SZ}\t"
            f"{r['error']}{failed}"
        )


def _resolve(service: str, letter_id: int, resolution: str) -> None:
    from tools.cli.ops import resolve_dead_letter

    consumer = asyncio.run(resolve_dead_letter(service, letter_id, resolution))
    if consumer is None:
        typer.echo(f"dead letter {letter_id} is not open in {service}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"dead letter {letter_id}: {resolution} asked of {consumer}; it will then apply the "
        f"events held back behind it, in order (see `warmlink deadletters list`)"
    )


@deadletters.command("replay")
def deadletters_replay(service: ServiceOption, letter_id: int) -> None:
    """Apply the dead-lettered event again (after its fix is deployed), then the held ones."""
    _resolve(service, letter_id, "replay")


@deadletters.command("discard")
def deadletters_discard(service: ServiceOption, letter_id: int) -> None:
    """Give the event up for good and apply the events held back behind it."""
    _resolve(service, letter_id, "discard")


@faults.command("run")
def faults_run(
    faults: Annotated[int, typer.Option("--faults", help="Faults to apply", min=1)] = 50,
    seed: Annotated[int, typer.Option(help="Same seed, same faults and traffic choices")] = 1,
    rate: Annotated[float, typer.Option(help="Screens per real minute", min=1)] = 120.0,
    state_dir: Annotated[
        Path | None, typer.Option(help="Where the campaign's network lives (default: a new one)")
    ] = None,
) -> None:
    """Run the whole network under traffic and seeded faults (kills, database and broker
    restarts, a failing subscriber, the directory down), let it settle, and check nothing was
    lost or done twice. Exits 1 when a check fails."""
    from tools.faults.campaign import Options, run_campaign, summary

    options = Options(faults=faults, seed=seed, state_dir=state_dir, rate=rate)
    result = run_campaign(options, lambda line: typer.echo(line))
    for line in summary(result, options):
        typer.echo(line)
    raise typer.Exit(0 if result.ok else 1)


@bench.command("directory")
def bench_directory(
    practices: Annotated[int, typer.Option(help="Practices in the directory")] = 10000,
    seconds: Annotated[int, typer.Option(help="Duration of each measured run")] = 10,
    connections: Annotated[int, typer.Option(help="Connections for the closed-loop runs")] = 16,
    updates: Annotated[int, typer.Option(help="Capacity updates per second meanwhile")] = 100,
    rate: Annotated[
        int | None,
        typer.Option(help="Requests/s for the latency runs, by default derived in the run"),
    ] = None,
) -> None:
    """Matches/s and latency beside an authenticated no-op on the same server."""
    from tools.bench.directory import run

    run(practices, seconds, connections, updates, rate)


@bench.command("portal")
def bench_portal(
    people: Annotated[int, typer.Option(help="People signed in, one session each")] = 8,
    screens: Annotated[int, typer.Option(help="Positive screens on the site's worklist")] = 30,
    seconds: Annotated[int, typer.Option(help="Duration of each measured run")] = 10,
    connections: Annotated[int, typer.Option(help="Connections for the floor's closed loop")] = 8,
) -> None:
    """The portal's worklist, matches and referral pages at 100/s, beside a static page."""
    from tools.bench.portal import run

    run(people, screens, seconds, connections)


@bench.command("alerts")
def bench_alerts(
    rate: Annotated[int, typer.Option(help="Urgent referrals/s")] = 20,
    seconds: Annotated[int, typer.Option(help="Duration of the measured run")] = 10,
) -> None:
    """A referral's alert, from its status change to the mail sink, beside a bare SMTP send."""
    from tools.bench.alerts import run

    run(rate, seconds)


@bench.command("loop")
def bench_loop(
    rate: Annotated[
        int | None,
        typer.Option(help="Referrals/s for the propagation run, by default derived in the run"),
    ] = None,
    seconds: Annotated[int, typer.Option(help="Duration of each measured run")] = 10,
    connections: Annotated[int, typer.Option(help="Connections for the throughput runs")] = 8,
) -> None:
    """Status propagation to a webhook, and submissions/s beside a one-INSERT floor."""
    from tools.bench.loop import run

    run(rate, seconds, connections)


@bench.command("flood")
def bench_flood(
    rate: Annotated[int, typer.Option(help="The valid client's screens/s")] = 20,
    seconds: Annotated[int, typer.Option(help="Duration of each measured run")] = 15,
    forged: Annotated[int, typer.Option(help="Concurrent forged-token clients")] = 50,
    oversized: Annotated[int, typer.Option(help="Concurrent clients sending large bodies")] = 4,
    body_mb: Annotated[int, typer.Option(help="Size of each large body, in MB")] = 8,
) -> None:
    """A valid client's latency beside forged tokens and large bodies, and alone."""
    from tools.bench.flood import run

    run(rate, seconds, forged, oversized, body_mb)


@bench.command("audit-chain")
def bench_audit_chain(
    connections: Annotated[int, typer.Option(help="Concurrent request-shaped clients")] = 16,
    seconds: Annotated[float, typer.Option(help="Duration of each measured run")] = 5.0,
    rounds: Annotated[int, typer.Option(help="Runs of each kind, alternating")] = 3,
) -> None:
    """Transactions writing an audit row, into a log without the chain and one with it."""
    from tools.bench.audit_chain import report, run

    typer.echo(report(run(connections, seconds, rounds)))


@bench.command("tracing")
def bench_tracing(
    seconds: Annotated[int, typer.Option(help="Duration of each measured run")] = 10,
    connections: Annotated[int, typer.Option(help="Connections for the closed-loop runs")] = 8,
    rate: Annotated[
        int | None,
        typer.Option(help="Requests/s for the latency runs, by default derived in the run"),
    ] = None,
) -> None:
    """A screen's CPU and p99 with tracing off, over OTLP, and OTLP with instrumentations."""
    from tools.bench.tracing import run

    run(seconds, connections, rate)


@bench.command("backbone")
def bench_backbone(
    events: Annotated[int, typer.Option(help="Events for the throughput run")] = 30000,
    rate: Annotated[
        int | None,
        typer.Option(help="Events/s for the latency runs, by default derived in the run"),
    ] = None,
    seconds: Annotated[int, typer.Option(help="Duration of the latency run")] = 10,
) -> None:
    """Outbox -> relay -> broker -> idempotent consumer -> commit, beside bare aiokafka."""
    from tools.bench.backbone import run

    run(events=events, rate=rate, seconds=seconds)
