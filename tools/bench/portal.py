"""`warmlink bench portal`: the people's pages under load, beside a static page.

The five services run as under `make run` (their own processes, one worker each) on embedded
PostgreSQL (fsync on) and the embedded broker, with the demo region. A set of people sign in
(password and TOTP code); each request carries one of their session cookies. Measured at one
arrival rate, open loop: 100 requests/s, or half of what the floor sustains (closed loop) where
that is less. The floor is the portal's stylesheet, a static answer from the same server. The
pages: the site's worklist (referral and follow-up APIs behind it), a screen's matches (the
referral and directory APIs) and the referral form (the referral and directory APIs).

Each page's run also reports its CPU per request by process (`cpu.py`), beside the same for the
stack at rest (its consumers' polling and background loops, billed per the floor's rate), and
the machine's load average when the run began and ended: anything else busy on the cores shows
first in p99, and these say whether it was this run's work or something else's.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pyotp

from tools.bench import cpu
from tools.bench.loadgen import LoadResult, load, load_at_rate
from tools.bench.report import latency_rate, percentile, print_report, times, vs_floor
from tools.dev.people import add_person, create_portal_client
from tools.dev.processes import free_port
from tools.dev.seed import seed_region
from tools.dev.stack import DevStack
from warmlink.auth import Role
from warmlink.tokens import issue_token

SITE = "riverside-ob"
SERVICES = ("screening", "directory", "referral", "followup", "portal")
COOKIE = "warmlink_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TARGET_RATE = 100
PAGES = ("worklist", "matches", "referral form")
TARGET_P99_MS = 50.0
TARGET_VS_FLOOR = 5.0
REST_S = 5


def sign_in(portal: str, person: dict[str, str]) -> str:
    """A signed-in session's cookie value, through the sign-in pages as a browser goes."""
    with httpx.Client(base_url=portal, timeout=20) as client:
        page = client.get("/sign-in")
        cookie = page.cookies[COOKIE]
        form = {"csrf_token": CSRF.findall(page.text)[0]}
        answer = client.post(
            "/sign-in",
            data=form | {"email": person["email"], "password": person["password"]},
            headers={"Cookie": f"{COOKIE}={cookie}"},
        )
        cookie = answer.cookies[COOKIE]
        page = client.get("/sign-in/code", headers={"Cookie": f"{COOKIE}={cookie}"})
        code = pyotp.TOTP(person["totp_secret"]).now()
        answer = client.post(
            "/sign-in/code",
            data={"csrf_token": CSRF.findall(page.text)[0], "code": code},
            headers={"Cookie": f"{COOKIE}={cookie}"},
        )
        if answer.status_code != 303 or answer.headers["location"] != "/":
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        return str(answer.cookies[COOKIE])


def positive_screens(stack: DevStack, count: int) -> list[str]:
    """`count` positive screens of the site (a third urgent), once they are on its worklist."""
    token = issue_token(stack.signing_key.read_bytes(), organization_id=SITE, role=Role.CLINIC)
    auth = {"Authorization": f"Bearer {token}"}
    screening = f"http://127.0.0.1:{stack.ports['screening']}"
    referral = f"http://127.0.0.1:{stack.ports['referral']}"
    ids = []
    for i in range(count):
        body = {
            "instrument": "PHQ-9",
            "answers": [2, 2, 2, 2, 1, 1, 0, 0, 1 if i % 3 == 0 else 0],
            "patient_ref": f"bench-{i}",
            "setting": "ob",
            "screened_at": datetime.now(UTC).isoformat(),
        }
        made = httpx.post(f"{screening}/v1/screenings", json=body, headers=auth, timeout=20)
        made.raise_for_status()
        ids.append(made.json()["id"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = httpx.get(f"{referral}/v1/worklist?limit=500", headers=auth, timeout=20).json()
        if {str(i["screening_id"]) for i in listed["items"]} >= set(ids):
            return ids
        time.sleep(0.2)
    raise RuntimeError("the screens did not reach the worklist in 60 s")


def _figures(result: LoadResult) -> tuple[float, float, float]:
    lat = result.latencies_ms
    return result.per_second, percentile(lat, 50), percentile(lat, 99)


def met(p99_ms: float, floor_p99_ms: float) -> bool:
    """The issue's target for one page: p99 <= 50 ms and within 5x the floor's p99."""
    return p99_ms <= TARGET_P99_MS and p99_ms <= TARGET_VS_FLOOR * floor_p99_ms


def run(people: int, screens: int, seconds: int, connections: int) -> None:
    load_before = os.getloadavg()
    state = Path(tempfile.mkdtemp(prefix="warmlink-bench-portal-"))
    ports = {name: free_port() for name in SERVICES}
    stack = DevStack(state, pg_port=free_port(), kafka_port=free_port(), ports=ports)
    print(f"starting PostgreSQL (fsync on), broker and the five services in {state} ...")
    stack.start_infra()
    try:
        for name in SERVICES:
            stack.start_service(name, {"LOG_LEVEL": "WARNING"})
        for name in SERVICES:
            stack.wait_ready(name)
        directory = f"http://127.0.0.1:{ports['directory']}"
        portal = f"http://127.0.0.1:{ports['portal']}"
        seed_region(directory, stack.signing_key)
        create_portal_client(directory, stack.signing_key, state)
        cookies = []
        for i in range(people):
            person = add_person(
                portal, stack.signing_key, SITE, "ma", email=f"bench-{i}@{SITE}.example.org"
            )
            cookies.append(sign_in(portal, person))
        print(f"{people} people signed in; recording {screens} positive screens ...")
        ids = positive_screens(stack, screens)
        criteria = "coverage=uninsured&population=postpartum"
        pages = {
            "worklist": ["/worklist"],
            "matches": [f"/screens/{sid}/matches?{criteria}" for sid in ids],
            "referral form": [
                f"/screens/{sid}/handoff?practice_id=bloom-therapy"
                f"&service_id=bloom-therapy-outpatient&method=digital&{criteria}"
                for sid in ids
            ],
            "floor": ["/assets/portal.css"],
        }
        with_cookies = {
            name: [f"{path}\nCookie: {COOKIE}={c}" for path in paths for c in cookies]
            for name, paths in pages.items()
        }
        print("warming up (3 s) ...")
        for paths in with_cookies.values():
            load(ports["portal"], paths, "", 1, 4)
        print(f"floor: most answered, {connections} connections, closed loop, {seconds}s")
        floor_most = load(ports["portal"], with_cookies["floor"], "", seconds, connections)
        rate = min(TARGET_RATE, latency_rate(floor_most.per_second))
        print(f"at rest: {REST_S}s")
        time.sleep(1)  # the floor's last answers leave nothing behind: GETs write nothing
        before = cpu.read()
        time.sleep(REST_S)
        at_rest = cpu.phase(before, cpu.read(), rate * REST_S, 0.0)
        runs: dict[str, LoadResult] = {}
        phases: dict[str, cpu.Phase] = {"at rest": at_rest}
        for name, paths in with_cookies.items():
            print(f"{name}: latency at {rate}/s, open loop, {seconds}s")
            before = cpu.read()
            runs[name] = load_at_rate(ports["portal"], paths, "", rate, seconds)
            phases[name] = cpu.phase(before, cpu.read(), runs[name].requests, runs[name].cpu_s)
    finally:
        stack.stop()
    shutil.rmtree(state, ignore_errors=True)  # kept only when the run failed
    floor = _figures(runs["floor"])
    rows = []
    figures: dict[str, object] = {
        "rate_per_s": rate,
        "floor_most_per_s": round(floor_most.per_second),
        "floor_p99_ms": round(floor[2], 2),
    }
    for name in PAGES:
        ours = _figures(runs[name])
        ratio = vs_floor(ours[2], floor[2])
        holds = met(ours[2], floor[2])
        target = "<= 50, <= 5x " + ("met" if holds else "NOT met")
        rows.append((f"{name} p50 (ms)", f"{ours[1]:.1f}", f"{floor[1]:.1f}", "", ""))
        rows.append((f"{name} p99 (ms)", f"{ours[2]:.1f}", f"{floor[2]:.1f}", times(ratio), target))
        key = name.replace(" ", "_")
        figures |= {f"{key}_p50_ms": round(ours[1], 2), f"{key}_p99_ms": round(ours[2], 2)}
        figures[f"{key}_p99_vs_floor"] = ratio
        figures[f"{key}_target_met"] = holds
    errors = sum(r.errors for r in runs.values())
    rows.append(
        (
            f"answered at {rate}/s",
            f"{runs['worklist'].per_second:,.0f}/s",
            f"{floor[0]:,.0f}/s",
            "",
            "",
        )
    )
    rows.append(("errors", str(errors), "", "", "0"))
    figures["errors"] = errors
    load_after = os.getloadavg()
    figures["load_average_1m"] = [round(load_before[0], 2), round(load_after[0], 2)]
    figures["cpu_ms_per_request"] = {name: p.ms_per_request for name, p in phases.items()}
    figures["cores_busy"] = {name: p.cores_busy for name, p in phases.items()}
    cpu.print_table(phases)
    print(
        f"\nload average (1 min) {load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end"
        f" on {os.cpu_count()} cores; 'at rest' is billed per {rate} requests/s"
    )
    print_report(f"bench-portal ({people} people signed in, {screens} screens)", rows, figures)
