"""Measures across services: screens and referrals driven through the public APIs, then the
follow-up service's /v1/metrics and monthly report (JSON and CSV), scoped by the caller."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from contracts import (
    AppointmentAttended,
    AppointmentScheduled,
    CapacityUpdated,
    IntakeAcknowledged,
    wrap,
)
from services.followup.measures.adapters import queries
from services.followup.measures.domain.grouping import Scope, ScopeKind
from services.followup.measures.service_layer.events import subscriptions
from services.followup.settings import FollowupSettings
from tests.e2e import directory_support as d
from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import body
from tests.e2e.test_e2e_screen_to_worklist import phq9, worklist
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

RIVERSIDE, EASTBROOK, PRACTICE, ADMIN = (
    "riverside-ob",
    "eastbrook-ob",
    "bloom-therapy",
    "network-admin",
)
TZ = ZoneInfo("America/Chicago")  # FOLLOWUP_NETWORK_TIME_ZONE's default
SERVICES = ["directory", "screening", "referral", "followup"]
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "followup" / "migrations"
[MEASURES] = subscriptions(FollowupSettings())
HANDLERS = MEASURES.handlers


@dataclass(frozen=True)
class Driven:
    attended: str
    no_show: str
    declined: str
    screens: tuple[str, ...]
    month: str  # the report month the referrals fall in, taken as they were made


def start_measured_network(infra: Infrastructure) -> Network:
    stack = start_network(infra, SERVICES)
    seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
    return Network(stack)


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    network = start_measured_network(infra)
    try:
        yield network
    finally:
        network.stack.stop()


async def _screen(net: Network, site: str, patient_ref: str) -> str:
    async with httpx.AsyncClient(base_url=net.url("screening")) as screening:
        response = await screening.post(
            "/v1/screenings", json=phq9(patient_ref, [2] * 9), headers=net.auth(site)
        )
    assert response.status_code == 201, response.text
    screening_id = str(response.json()["id"])
    # A referral naming the screen is checked against the site's worklist (urgency is the
    # server's rule), so refer once the screen is there.
    await eventually(
        lambda: worklist(net, site),
        until=lambda items: any(i["screening_id"] == screening_id for i in items),
        what="worklist item",
    )
    return screening_id


async def _refer(net: Network, client: httpx.AsyncClient, site: str, key: str, **kw: Any) -> str:
    headers = net.auth(site) | {"Idempotency-Key": key}
    response = await client.post("/v1/referrals", json=body(**kw), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _move(net: Network, client: httpx.AsyncClient, rid: str, *steps: str) -> None:
    practice = net.auth(PRACTICE, Role.PRACTICE)
    for step in steps:
        payload: dict[str, Any] | None = None
        if step == "schedule":
            # Booked for now: attendance is recorded once the appointment's time has come.
            at = datetime.now(UTC).isoformat()
            payload = {"appointment_at": at, "modality": "telehealth"}
        elif step == "decline":
            payload = {"reason": "no_capacity"}
        moved = await client.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, moved.text


async def drive(net: Network, tag: str) -> Driven:
    """Two screened referrals at riverside (one attended, one no-show), one declined at
    eastbrook without a screen."""
    month = datetime.now(TZ).strftime("%Y-%m")
    s1 = await _screen(net, RIVERSIDE, f"pt-{tag}-1")
    s2 = await _screen(net, RIVERSIDE, f"pt-{tag}-2")
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        a = await _refer(
            net, client, RIVERSIDE, f"{tag}-a", screening_id=s1, patient_ref=f"pt-{tag}-1"
        )
        b = await _refer(
            net,
            client,
            RIVERSIDE,
            f"{tag}-b",
            screening_id=s2,
            patient_ref=f"pt-{tag}-2",
            method="in_room_call",
            urgency="urgent",
        )
        c = await _refer(
            net, client, EASTBROOK, f"{tag}-c", patient_ref=f"pt-{tag}-3", method="coordinator"
        )
        await _move(net, client, a, "acknowledge", "schedule", "attended")
        await _move(net, client, b, "acknowledge", "schedule", "missed")
        await _move(net, client, c, "decline")
    return Driven(a, b, c, (s1, s2), month)


async def get(
    net: Network, path: str, org: str, role: Role, headers: dict[str, str] | None = None, **kw: Any
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=net.url("followup"), timeout=20) as client:
        return await client.get(path, headers=net.auth(org, role) | (headers or {}), **kw)


async def wait_for_network_figures(net: Network, until: Any) -> dict[str, Any]:
    async def probe() -> dict[str, Any]:
        response = await get(net, "/v1/metrics", ADMIN, Role.ADMIN)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()
        return payload

    return await eventually(probe, until=until, timeout=40, what="measures read model")


def network_measures(payload: dict[str, Any]) -> dict[str, Any]:
    groups = payload["groups"]
    return groups[0]["measures"] if groups else {}


async def drive_and_wait(net: Network, tag: str) -> Driven:
    d = await drive(net, tag)
    await wait_for_network_figures(
        net,
        lambda p: (
            network_measures(p).get("referred") == 3
            and network_measures(p).get("attended") == 1
            and network_measures(p).get("no_shows") == 1
            and network_measures(p).get("declines") == 1
            and (p["follow_up_30d"] or [{}])[0].get("followed_up_within_30d") == 1
        ),
    )
    return d


@pytest.fixture(scope="module")
def driven(net: Network) -> Driven:
    # Once for the module, on its own loop: the tests only read what it made.
    return asyncio.run(drive_and_wait(net, "m"))


async def test_network_metrics_match_the_driven_sequence(net: Network, driven: Driven) -> None:
    payload = (await get(net, "/v1/metrics", ADMIN, Role.ADMIN)).json()
    m = network_measures(payload)
    assert payload["scope"] == {"kind": "network", "organization_id": None}
    assert (m["referred"], m["acknowledged"], m["scheduled"], m["attended"]) == (3, 2, 2, 1)
    assert m["completion_rate"] == 0.3333  # 1 attended / 3 referred
    assert m["decline_reasons"] == {"no_capacity": 1}
    assert m["no_shows"] == 1
    # both appointments were booked for the moment of booking, seconds after the referral
    assert 0 <= m["median_days_to_first_scheduled"] < 0.01
    assert 0 <= m["median_days_to_intake"] < 0.01
    # acknowledged within seconds of submission
    assert 0 <= m["median_hours_to_acknowledge"] < 0.1
    hedis = payload["follow_up_30d"][0]
    # two positive screens, both referred, one attended within 30 days
    assert (hedis["positive_screens"], hedis["referred_within_30d"]) == (2, 2)
    assert (hedis["followed_up_within_30d"], hedis["follow_up_rate"]) == (1, 0.5)
    assert payload["handoff_comparison"]["note"] == "no cold referrals recorded"
    by_method = await get(net, "/v1/metrics", ADMIN, Role.ADMIN, params={"group_by": "method"})
    rates = {g["group"]: g["measures"]["completion_rate"] for g in by_method.json()["groups"]}
    assert rates == {"coordinator": 0.0, "digital": 1.0, "in_room_call": 0.0}
    steps = await net.query(
        "followup",
        "SELECT kind FROM measure_referral_steps WHERE referral_id = $1::uuid ORDER BY at",
        driven.attended,
    )
    assert [s["kind"] for s in steps] == ["acknowledged", "scheduled", "attended"]  # once each


async def test_a_patient_screened_positive_again_counts_once_by_her_first(
    net: Network, driven: Driven
) -> None:
    """PDS-E counts patients: a second positive screen of pt-m-1 this period adds nothing."""
    again = await _screen(net, RIVERSIDE, "pt-m-1")
    mine = "SELECT screening_id FROM positive_screens WHERE site_id = $1 AND patient_ref = $2"
    await eventually(
        lambda: net.query("followup", mine, RIVERSIDE, "pt-m-1"),
        until=lambda rows: again in {str(r["screening_id"]) for r in rows},
        what="the second screen in the measures' read model",
    )
    hedis = (await get(net, "/v1/metrics", ADMIN, Role.ADMIN)).json()["follow_up_30d"][0]
    # still two patients, both referred, one (by her first screen's referral) followed up
    assert (hedis["positive_screens"], hedis["referred_within_30d"]) == (2, 2)
    assert (hedis["followed_up_within_30d"], hedis["follow_up_rate"]) == (1, 0.5)


async def test_a_clinic_sees_only_its_own_site_and_a_practice_its_own(
    net: Network, driven: Driven
) -> None:
    riverside = (await get(net, "/v1/metrics", RIVERSIDE, Role.CLINIC)).json()
    assert riverside["scope"] == {"kind": "site", "organization_id": RIVERSIDE}
    assert network_measures(riverside)["referred"] == 2
    assert network_measures(riverside)["declines"] == 0
    by_site = await get(net, "/v1/metrics", RIVERSIDE, Role.CLINIC, params={"group_by": "site"})
    assert [g["group"] for g in by_site.json()["groups"]] == [RIVERSIDE]
    eastbrook = network_measures((await get(net, "/v1/metrics", EASTBROOK, Role.CLINIC)).json())
    assert (eastbrook["referred"], eastbrook["declines"]) == (1, 1)
    other = (await get(net, "/v1/metrics", "maple-pediatrics", Role.CLINIC)).json()
    assert other["groups"] == [] and other["follow_up_30d"] == []
    practice = (await get(net, "/v1/metrics", PRACTICE, Role.PRACTICE)).json()
    assert network_measures(practice)["referred"] == 3
    assert practice["follow_up_30d"] is None  # sites' screens are not a practice's to see
    elsewhere = (await get(net, "/v1/metrics", "northside-cmhc", Role.PRACTICE)).json()
    assert elsewhere["groups"] == []


async def test_monthly_report_as_json_and_csv_agree(net: Network, driven: Driven) -> None:
    params = {"month": driven.month}
    as_json = await get(net, "/v1/reports/monthly", ADMIN, Role.ADMIN, params=params)
    assert as_json.status_code == 200, as_json.text
    report = as_json.json()
    assert report["groups"]["network"][0]["measures"]["referred"] == 3
    assert {g["group"] for g in report["groups"]["setting"]} == {"ob"}
    by_accept = await get(
        net,
        "/v1/reports/monthly",
        ADMIN,
        Role.ADMIN,
        params=params,
        headers={"Accept": "text/csv"},
    )
    by_format = await get(
        net, "/v1/reports/monthly", ADMIN, Role.ADMIN, params=params | {"format": "csv"}
    )
    assert by_accept.headers["content-type"].startswith("text/csv")
    assert by_accept.text == by_format.text
    rows = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert rows, "the CSV has rows"
    checked = 0
    for row in rows:
        assert row["month"] == driven.month
        if row["section"] != "measures":
            continue
        group = next(g for g in report["groups"][row["group_by"]] if g["group"] == row["group"])
        value: Any = group["measures"]
        for part in row["measure"].split("."):
            value = value[part]
        expected = "" if value is None else str(value)
        assert row["value"] == expected, row
        checked += 1
    assert checked >= 8 * 16  # every report grouping, every measure
    referred = [r for r in rows if r["group_by"] == "network" and r["measure"] == "referred"]
    assert [r["value"] for r in referred] == ["3"]


async def test_bad_month_and_wrong_roles_are_problems(net: Network) -> None:
    bad = await get(net, "/v1/reports/monthly", ADMIN, Role.ADMIN, params={"month": "2026-13"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["parameter"] == "month"
    reversed_range = await get(
        net, "/v1/metrics", ADMIN, Role.ADMIN, params={"from": "2026-11-30", "to": "2026-11-01"}
    )
    assert reversed_range.status_code == 422
    assert (await get(net, "/v1/capacity", RIVERSIDE, Role.CLINIC)).status_code == 403
    async with httpx.AsyncClient(base_url=net.url("followup")) as client:
        assert (await client.get("/v1/metrics")).status_code == 401


async def test_metric_ranges_are_capped_at_a_year_and_a_day(net: Network) -> None:
    """An unbounded range loaded every referral ever made per request, and a `to` on the last
    day a date can hold was a 500."""

    async def asking(path: str, **params: str) -> httpx.Response:
        return await get(net, path, ADMIN, Role.ADMIN, params=params)

    year = await asking("/v1/metrics", **{"from": "2025-11-30", "to": "2026-11-30"})
    assert year.status_code == 200, "a year's review keeps working"
    for path, params, parameter in [
        ("/v1/metrics", {"from": "2000-01-01", "to": "2026-11-30"}, "from"),
        ("/v1/metrics", {"from": "0001-01-01"}, "from"),
        ("/v1/metrics", {"to": "9999-12-31"}, "to"),
        ("/v1/metrics/sla-breaches", {"from": "1900-01-01"}, "from"),
        ("/v1/metrics/sla-breaches", {"day": "9999-12-31"}, "day"),
    ]:
        refused = await asking(path, **params)
        assert refused.status_code == 422, (path, params)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["parameter"] == parameter, (path, params)


async def test_capacity_summary_reflects_the_directory(net: Network) -> None:
    async def capacity() -> dict[str, Any]:
        payload: dict[str, Any] = (await get(net, "/v1/capacity", ADMIN, Role.ADMIN)).json()
        return payload

    summary = await eventually(
        capacity, until=lambda c: c["network"]["services"] >= 19, timeout=40, what="capacity"
    )
    assert summary["network"]["open_slots"] > 0
    levels = {r["level_of_care"] for r in summary["by_level_of_care"]}
    assert {"outpatient_therapy", "psychiatry"} <= levels
    assert any(r["area"] == "telehealth" for r in summary["by_area"])


async def test_handlers_apply_once_in_any_order(database_url: str) -> None:
    """Straight on the read model (real PostgreSQL): a referral's events arriving backwards and
    then all over again, and an old capacity event after a newer one, give one set of facts."""
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn, discover(("runtime", RUNTIME_MIGRATIONS), ("followup", MIGRATIONS)))
        rid, t0 = uuid.uuid4(), datetime(2026, 11, 2, 15, tzinfo=UTC)
        ids = {"referral_id": rid, "site_id": RIVERSIDE, "practice_id": PRACTICE}
        appointment = {"appointment_id": uuid.uuid4(), "appointment_at": t0 + timedelta(days=3)}
        events = [
            d.submitted(PRACTICE, "bloom-therapy-outpatient", rid).model_copy(
                update={
                    "site_id": RIVERSIDE,
                    "submitted_at": t0,
                    "acknowledge_by": t0 + timedelta(days=1),
                }
            ),
            IntakeAcknowledged(**ids, acknowledged_at=t0 + timedelta(hours=2)),
            AppointmentScheduled(
                **ids,
                **appointment,
                modality="telehealth",
                level_of_care="outpatient_therapy",
                scheduled_at=t0 + timedelta(hours=3),
            ),
            AppointmentAttended(**ids, **appointment),
        ]
        envelopes = [wrap(e, producer="referral") for e in events]
        for env, event in [*zip(envelopes, events, strict=True)][::-1] * 2:
            async with conn.transaction():
                await HANDLERS[env.type](conn, env, event)

        def capacity(available: int, hours_ago: int) -> CapacityUpdated:
            return CapacityUpdated(
                practice_id=PRACTICE,
                service_id="bloom-therapy-outpatient",
                available=available,
                maximum=10,
                next_available_intake=None,
                accepting_new_patients=True,
                verified_at=t0 - timedelta(hours=hours_ago),
                stale=False,
            )

        newer, older = capacity(4, 1), capacity(9, 5)
        for event, when in ((newer, t0), (older, t0 - timedelta(hours=4))):
            env = wrap(event, producer="directory", occurred_at=when)
            async with conn.transaction():
                await HANDLERS["CapacityUpdated"](conn, env, event)

        facts = await queries.load_facts(
            conn, Scope(ScopeKind.NETWORK), t0 - timedelta(days=1), t0 + timedelta(days=1)
        )
        [journey] = facts.journeys
        assert journey.acknowledged_at == t0 + timedelta(hours=2)
        assert journey.first_attended_at == t0 + timedelta(days=3)
        steps = await conn.fetchval("SELECT count(*) FROM measure_referral_steps")
        assert steps == 3  # acknowledged, scheduled, attended: once each
        [listing] = await queries.listings(conn)
        assert listing.available == 4  # the older event arrived last and lost
    finally:
        await conn.close()
