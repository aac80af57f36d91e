"""`warmlink simulate` against the real services: a short, fast run really creates referrals and
moves them, its summary equals what the services recorded, and it ends with the network's
invariant at zero."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import Network
from tests.e2e.redirect_support import redirecting_network
from tests.support.infra import Infrastructure
from tools.sim.api import Urls
from tools.sim.runner import Options, simulate
from tools.sim.tally import Tally
from warmlink.auth import Role

# 3000 simulated minutes a second: two weeks to an appointment pass in about 7 seconds. The run
# stops once every milestone the tests below look for has happened (about 10 s on an idle
# machine); the duration is only the longest a very busy machine may take to get there.
RUN = {"seed": 3, "rate": 600.0, "speed": 3000.0, "duration": 240.0}


def _milestones_reached(tally: Tally) -> bool:
    return (
        tally.screens > 50
        and tally.referrals.total() > 5
        and tally.acknowledged > 0
        and tally.scheduled > 0
        and tally.attended + tally.missed > 0
        and tally.capacity_updates > 0
    )


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    # As `make run` runs it: the network redirects declined and too-late referrals by itself.
    services = ("directory", "screening", "referral", "followup")
    with redirecting_network(infra, services, REDIRECT_POLICY="automatic") as running:
        yield running


@pytest.fixture(scope="module")
def run(net: Network) -> tuple[Tally, datetime]:
    started = datetime.now(UTC)
    urls = Urls(*(net.url(s) for s in ("screening", "directory", "referral", "followup")))
    options = Options(net.stack.state_dir, urls, enough=_milestones_reached, **RUN)  # type: ignore[arg-type]
    return asyncio.run(simulate(options)), started


async def test_the_run_made_referrals_and_moved_them_without_errors(
    run: tuple[Tally, datetime],
) -> None:
    tally, _ = run
    assert tally.errors == Counter(), tally.errors
    assert tally.screens > 50
    assert 0.08 < tally.positives / tally.screens < 0.30
    assert tally.referrals.total() > 5
    assert tally.acknowledged > 0
    assert tally.scheduled > 0
    assert tally.attended + tally.missed > 0
    assert tally.capacity_updates > 0
    # Every urgent screen was assessed (a short run may hold none; the habits' tests hold the
    # shares of urgent cases, declines and far-off appointments).
    assert tally.assessed.total() == tally.urgent


async def test_the_run_ends_with_the_invariant_at_zero(
    net: Network, run: tuple[Tally, datetime]
) -> None:
    tally, _ = run
    # The simulator asked until the network settled: nobody is left unwatched.
    assert tally.invariant == 0
    assert tally.closing_note().startswith("0 violations")
    async with httpx.AsyncClient(base_url=net.url("followup")) as client:
        checked = await client.get("/v1/invariant", headers=net.auth("network-admin", Role.ADMIN))
    assert checked.status_code == 200 and checked.json()["count"] == 0, checked.text


async def test_the_summary_equals_what_the_services_recorded(
    net: Network, run: tuple[Tally, datetime]
) -> None:
    tally, started = run
    screens = await net.query(
        "screening", "SELECT count(*) AS n, count(*) FILTER (WHERE positive) AS p FROM screenings"
    )
    assert (screens[0]["n"], screens[0]["p"]) == (tally.screens, tally.positives)

    methods = await net.query("referral", "SELECT method, count(*) AS n FROM referrals GROUP BY 1")
    assert Counter({r["method"]: r["n"] for r in methods}) == tally.referrals

    rows = await net.query(
        "referral", "SELECT action, reason, count(*) AS n FROM referral_timeline GROUP BY 1, 2"
    )
    actions = Counter[str]()
    declines = Counter[str]()
    for r in rows:
        actions[r["action"]] += r["n"]
        if r["action"] == "decline":
            declines[r["reason"]] += r["n"]
    assert actions["submit"] == tally.referrals.total()
    assert actions["acknowledge"] == tally.acknowledged
    assert actions["record_contact"] == tally.contact_attempts
    assert actions["schedule"] == tally.scheduled
    assert actions["record_attended"] == tally.attended
    assert actions["record_missed"] == tally.missed
    assert declines == tally.declined
    # Every decline was the network's to redirect (moved, or held for the site).
    triggers = await net.query(
        "referral",
        "SELECT status, count(*) AS n FROM auto_redirects WHERE reason = 'declined' GROUP BY 1",
    )
    assert sum(r["n"] for r in triggers) == tally.declined.total()
    # The seed's run declines (a full practice, a wrong fit, nobody reached) and the network
    # moves those referrals on by itself.
    assert tally.declined.total() > 0
    assert {r["status"]: r["n"] for r in triggers}.get("moved", 0) > 0, triggers
    # Every appointment booked weeks out was the network's to redirect too.
    late = await net.query(
        "referral",
        "SELECT count(*) AS n FROM auto_redirects WHERE reason = 'no_timely_appointment'",
    )
    assert late[0]["n"] == tally.far_off
    assert actions["provider_confirmed"] == tally.confirmed

    summaries = await net.query("referral", "SELECT count(*) AS n FROM discharge_summaries")
    iop = await net.query(
        "referral", "SELECT count(*) AS n FROM referrals WHERE setting = 'iop_php'"
    )
    # Every IOP/PHP referral's summary travelled as a document, none as a bare reference.
    assert summaries[0]["n"] == tally.summaries == iop[0]["n"] > 0

    closed = await net.query(
        "referral",
        "SELECT closure_reason, count(*) AS n FROM worklist_items WHERE status = 'closed'"
        " GROUP BY 1",
    )
    assert Counter({r["closure_reason"]: r["n"] for r in closed}) == tally.closed

    confirmed = await net.query(
        "directory",
        "SELECT count(*) AS n FROM capacities"
        " WHERE verified_at >= $1 AND verified_by LIKE '%:practice'",
        started,
    )
    assert 0 < confirmed[0]["n"] <= tally.capacity_updates


async def test_a_worked_referral_has_its_timeline_on_the_referral_api(net: Network) -> None:
    attended = await net.query(
        "referral", "SELECT id, site_id FROM referrals WHERE status IN ('attended', 'no_show')"
    )
    assert attended
    rid, site = attended[0]["id"], attended[0]["site_id"]
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        timeline = await client.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(site))
    assert timeline.status_code == 200
    # The people's steps: the follow-up service's notes ("network") may follow attendance at any
    # moment now that the network runs it, and are not what this test is about.
    steps = [t["action"] for t in timeline.json() if t["organization_id"] != "network"]
    assert steps[:2] == ["submit", "acknowledge"]
    assert "schedule" in steps
    assert steps[-1] in ("record_attended", "record_missed")
