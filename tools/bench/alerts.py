"""`warmlink bench alerts`: from a referral's status change to its alert handed to the mail sink.

The directory, referral and portal services run as under `make run` (their own processes) on
embedded PostgreSQL (fsync on) and the embedded broker, with the demo region and `warmlink dev`'s
mail sink; one intake coordinator of the receiving practice takes new-referral alerts by email.
Urgent referrals are submitted open loop at `rate` a second (20 by default, the issue's rate); each
one's latency runs from when its request was due (so the generator's own lateness counts) to when
the sink has its alert: the referral's commit, the outbox relay, the broker, the portal's
consumer deciding the alert, the sender waking on NOTIFY and the SMTP hand-over. The floor, in the
same run, is a bare SMTP send of the same size to the same sink, at the same rate.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import threading
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx

from tools.bench.report import paced_from_schedule, percentile, print_report, times, vs_floor
from tools.dev.mail import MailSink, OncePerMessageId
from tools.dev.people import add_person, create_portal_client
from tools.dev.processes import free_port
from tools.dev.seed import seed_region
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.mail import SmtpSender
from warmlink.tokens import issue_token

SERVICES = ("directory", "referral", "portal")
SITE, PRACTICE, SERVICE = "riverside-ob", "bloom-therapy", "bloom-therapy-outpatient"
TARGET_P99_MS = 2000.0
INBOX = re.compile(rb"/inbox/([0-9a-f-]{36})")
FLOOR = re.compile(rb"floor-([0-9]+)")
PATIENT = {
    "given_name": "Bench",
    "family_name": "Patient",
    "birth_date": "1994-03-17",
    "phone": "312-555-0100",
}


class Arrivals(OncePerMessageId):
    """The sink's handler, noting when each alert (by referral) and each floor message came."""

    def __init__(self, maildir: Path) -> None:
        super().__init__(maildir)
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        now = time.perf_counter()
        text = message_from_bytes(envelope.content).get_payload(decode=True)  # quoted-printable
        text = text if isinstance(text, bytes) else b""
        found = INBOX.search(text) or FLOOR.search(text)
        if found:
            with self.lock:
                self.at.setdefault(found.group(1).decode(), now)
        return reply


class TimedSink(MailSink):
    def handler_for(self, maildir: Path) -> OncePerMessageId:
        return Arrivals(maildir)


def _body(n: int) -> dict[str, Any]:
    return {
        "practice_id": PRACTICE,
        "service_id": SERVICE,
        "patient_ref": f"bench-alert-{n}",
        "setting": "ob",
        "method": "digital",
        "urgency": "urgent",
        "referrer_id": "bench",
        "patient": PATIENT,
        "consent": {"given": True},
        "match_criteria": {
            "coverage": "plan",
            "plan": "bcbs-il",
            "latitude": 41.88,
            "longitude": -87.63,
            "telehealth_state": "IL",
        },
    }


async def _referrals(referral_url: str, token: str, rate: int, seconds: int) -> dict[str, Any]:
    """Submit at `rate`; referral id -> when its request was due; and the failures."""
    due: dict[str, float] = {}
    errors = 0
    counter = iter(range(10**9))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=referral_url, timeout=30) as client:

        async def submit(scheduled: float) -> None:
            nonlocal errors
            n = next(counter)
            key = {"Idempotency-Key": f"bench-alert-{n}-{scheduled}"}
            answer = await client.post("/v1/referrals", json=_body(n), headers=headers | key)
            if answer.status_code != 201:
                errors += 1
                return
            due[answer.json()["id"]] = scheduled

        await paced_from_schedule(rate, seconds, submit)
    return {"due": due, "errors": errors}


async def _floor(sender: SmtpSender, rate: int, seconds: int) -> dict[str, float]:
    """Bare sends of an alert-sized message: floor id -> when it was due."""
    due: dict[str, float] = {}
    counter = iter(range(10**9))
    body = "x" * 300

    async def send(scheduled: float) -> None:
        n = next(counter)
        due[str(n)] = scheduled
        await sender.send("bench@example.org", "Warmlink alert: floor", f"floor-{n}\n{body}")

    await paced_from_schedule(rate, seconds, send)
    return due


def _latencies(due: dict[str, float], arrivals: Arrivals) -> tuple[list[float], int]:
    with arrivals.lock:
        got = dict(arrivals.at)
    latencies = [(got[k] - t) * 1000 for k, t in due.items() if k in got]
    return latencies, len(due) - len(latencies)


def _wait_for(due: dict[str, float], arrivals: Arrivals, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with arrivals.lock:
            if all(k in arrivals.at for k in due):
                return
        time.sleep(0.1)


def run(rate: int, seconds: int) -> None:
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-alerts-"))
    ports = {name: free_port() for name in SERVICES}
    stack = DevStack(state, pg_port=free_port(), kafka_port=free_port(), ports=ports)
    print(f"starting PostgreSQL (fsync on), broker, mail sink and {', '.join(SERVICES)} ...")
    stack.start_infra()
    sink = TimedSink(stack.maildir, free_port())
    stack.mail_sink = sink
    sink.start()
    arrivals = sink.handler
    assert isinstance(arrivals, Arrivals)
    try:
        for name in SERVICES:
            stack.start_service(name, {"LOG_LEVEL": "WARNING"})
        for name in SERVICES:
            stack.wait_ready(name)
        directory = f"http://127.0.0.1:{ports['directory']}"
        portal = f"http://127.0.0.1:{ports['portal']}"
        seed_region(directory, stack.signing_key)
        create_portal_client(directory, stack.signing_key, state)
        add_person(portal, stack.signing_key, PRACTICE, "intake_coordinator")
        token = issue_token(stack.signing_key.read_bytes(), organization_id=SITE, role=Role.CLINIC)
        sender = SmtpSender("127.0.0.1", sink.port, "bench@warmlink.example", starttls=False)
        print(f"floor: bare SMTP sends to the same sink at {rate}/s, {seconds}s")
        floor_due = asyncio.run(_floor(sender, rate, seconds))
        _wait_for(floor_due, arrivals, 30)
        print("warming up: 3 referrals ...")
        warm = asyncio.run(_referrals(f"http://127.0.0.1:{ports['referral']}", token, 1, 3))
        _wait_for(warm["due"], arrivals, 60)
        print(f"urgent referrals at {rate}/s, open loop, {seconds}s")
        made = asyncio.run(
            _referrals(f"http://127.0.0.1:{ports['referral']}", token, rate, seconds)
        )
        _wait_for(made["due"], arrivals, 60)
    finally:
        stack.stop()
    floor, floor_lost = _latencies(floor_due, arrivals)
    ours, lost = _latencies(made["due"], arrivals)
    shutil.rmtree(state, ignore_errors=True)  # kept only when the run failed
    p50, p99 = percentile(ours, 50), percentile(ours, 99)
    f50, f99 = percentile(floor, 50), percentile(floor, 99)
    ratio = vs_floor(p99, f99)
    held = p99 <= TARGET_P99_MS and lost == 0 and made["errors"] == 0
    figures: dict[str, object] = {
        "rate_per_s": rate,
        "referrals": len(made["due"]),
        "alerts_p50_ms": round(p50, 1),
        "alerts_p99_ms": round(p99, 1),
        "alerts_max_ms": round(max(ours), 1) if ours else None,
        "floor_send_p50_ms": round(f50, 2),
        "floor_send_p99_ms": round(f99, 2),
        "alerts_p99_vs_floor": ratio,
        "lost_alerts": lost,
        "floor_lost": floor_lost,
        "duplicates_dropped": arrivals.duplicates,
        "errors": made["errors"],
        "target_met": held,
    }
    rows = [
        ("status change -> sink p50 (ms)", f"{p50:.1f}", f"{f50:.1f}", "", ""),
        (
            "status change -> sink p99 (ms)",
            f"{p99:.1f}",
            f"{f99:.1f}",
            times(ratio),
            "<= 2000 " + ("met" if held else "NOT met"),
        ),
        ("alerts lost", str(lost), str(floor_lost), "", "0"),
        ("submission errors", str(made["errors"]), "", "", "0"),
    ]
    print_report(f"bench-alerts ({len(made['due'])} urgent referrals at {rate}/s)", rows, figures)
