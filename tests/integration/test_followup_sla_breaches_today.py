"""GET /v1/metrics/sla-breaches without `day` is today in the network's time zone, labelled
today (it used to count the month so far under the 1st's date). The follow-up service runs
in-process on the real PostgreSQL, its clock set by the test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from services.followup.bootstrap import build_app
from services.followup.measures.entrypoints import deps
from tests.integration.followup_clocks_support import settings_for
from tests.support.infra import Infrastructure
from warmlink.auth import Role
from warmlink.tokens import ensure_key_pair, issue_token

# 23:30 in Chicago on 16 March is already the 17th in UTC: "today" is the network's day.
NOW = datetime(2026, 3, 17, 4, 30, tzinfo=UTC)
INSERT = """
INSERT INTO measure_sla_breaches (referral_id, kind, due_at, site_id, practice_id, detected_at,
    urgent)
VALUES ($1, 'ack_overdue', $2, $3, 'bloom-therapy', $2, false)"""


@pytest.fixture
async def followup(
    infra: Infrastructure, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, bytes]]:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    settings = settings_for(infra, database_url)
    settings.jwt_public_key_file = public_path
    settings.consumers_enabled = False
    app = build_app(settings)
    app.dependency_overrides[deps.now] = lambda: NOW
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://followup") as http,
    ):
        pool = app.state.runtime.pool
        for at, site in (
            (datetime(2026, 3, 2, 15, 0, tzinfo=UTC), "riverside-ob"),  # earlier this month
            (datetime(2026, 3, 16, 20, 0, tzinfo=UTC), "riverside-ob"),  # 16th, Chicago
            (datetime(2026, 3, 17, 4, 0, tzinfo=UTC), "riverside-ob"),  # 16th, 23:00 Chicago
            (datetime(2026, 3, 16, 18, 0, tzinfo=UTC), "eastbrook-ob"),  # another site's
        ):
            await pool.execute(INSERT, uuid4(), at, site)
        yield http, private_path.read_bytes()


def auth(key: bytes, org: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(key, organization_id=org, role=role)}"}


async def test_without_a_day_the_breaches_are_todays_labelled_today(
    followup: tuple[httpx.AsyncClient, bytes],
) -> None:
    http, key = followup
    network = await http.get(
        "/v1/metrics/sla-breaches", headers=auth(key, "network-admin", Role.ADMIN)
    )
    assert network.status_code == 200, network.text
    assert (network.json()["day"], network.json()["total"]) == ("2026-03-16", 3)

    site = await http.get(
        "/v1/metrics/sla-breaches", headers=auth(key, "riverside-ob", Role.CLINIC)
    )
    assert (site.json()["day"], site.json()["total"]) == ("2026-03-16", 2)
    assert {b["site_id"] for b in site.json()["breaches"]} == {"riverside-ob"}

    asked = await http.get(
        "/v1/metrics/sla-breaches",
        params={"day": "2026-03-02"},
        headers=auth(key, "network-admin", Role.ADMIN),
    )
    assert (asked.json()["day"], asked.json()["total"]) == ("2026-03-02", 1)


async def test_a_coordinators_week_of_breaches_from_a_day(
    followup: tuple[httpx.AsyncClient, bytes],
) -> None:
    http, key = followup
    site = auth(key, "riverside-ob", Role.CLINIC)
    week = await http.get("/v1/metrics/sla-breaches", params={"from": "2026-03-10"}, headers=site)
    assert week.status_code == 200, week.text
    assert (week.json()["from"], week.json()["day"], week.json()["total"]) == (
        "2026-03-10",
        "2026-03-16",
        2,
    )
    month = await http.get("/v1/metrics/sla-breaches", params={"from": "2026-03-01"}, headers=site)
    assert month.json()["total"] == 3
    backwards = await http.get(
        "/v1/metrics/sla-breaches", params={"from": "2026-03-17"}, headers=site
    )
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["parameter"] == "from"
