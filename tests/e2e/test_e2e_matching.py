"""Matching and the HSDS export over the seeded demo region, through the directory's API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.directory.hsds.adapters.validate import validate_export
from tests.e2e.conftest import Network, start_network
from tests.support.backdate import backdate_capacity
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role

DOWNTOWN = {"latitude": 41.88, "longitude": -87.63}


@pytest.fixture(scope="module")
def region(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory"])
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        assert stack.infra is not None
        asyncio.run(backdate_capacity(stack.infra.database_url_for["directory"], datetime.now(UTC)))
        network = Network(stack)
        wait_for_the_index(network)
        yield network
    finally:
        stack.stop()


def wait_for_the_index(network: Network) -> None:
    """The match index applies database changes in batches, moments after they commit."""
    params = {
        "level_of_care": "outpatient_therapy",
        "coverage": "plan",
        "plan": "bcbs-il",
        "limit": 50,
    }
    headers = network.auth("riverside-ob", Role.CLINIC)
    url = network.url("directory") + "/v1/matches"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = httpx.get(url, params=params | DOWNTOWN, headers=headers).json()["matches"]
        if any(m["freshness"] == "stale" for m in found):
            return
        time.sleep(0.05)
    raise AssertionError("the back-dated listing never showed as stale in matches")


@pytest.fixture
async def client(region: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=region.url("directory"), headers=region.auth("riverside-ob", Role.CLINIC)
    ) as c:
        yield c


async def matches(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    query = {"level_of_care": "outpatient_therapy", "telehealth_state": "IL"} | params
    response = await client.get("/v1/matches", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_uninsured_patient_is_offered_options_usable_without_insurance(
    client: httpx.AsyncClient,
) -> None:
    body = await matches(client, coverage="uninsured", **DOWNTOWN)
    assert body["matches"], "the region has sliding-scale and FQHC options"
    assert all(m["usable_without_insurance"] for m in body["matches"])
    assert body["fallback"] == []


async def test_plan_holder_gets_ranked_practices_with_reasons_and_a_no_insurance_option(
    client: httpx.AsyncClient,
) -> None:
    body = await matches(client, coverage="plan", plan="bcbs-il", limit=3, **DOWNTOWN)
    ranked = body["matches"]
    assert [m["rank"] for m in ranked] == [1, 2, 3]
    assert any(m["usable_without_insurance"] for m in ranked)
    assert all(m["reasons"] and m["freshness"] in ("fresh", "stale", "unknown") for m in ranked)
    tiers = [m["tier"] for m in ranked]
    assert tiers == sorted(tiers)


async def test_stale_and_full_listings_rank_after_fresh_open_ones(
    client: httpx.AsyncClient,
) -> None:
    body = await matches(client, coverage="plan", plan="bcbs-il", limit=50, **DOWNTOWN)
    ranked = body["matches"]
    by_tier: dict[int, list[dict[str, Any]]] = {}
    for m in ranked:
        by_tier.setdefault(m["tier"], []).append(m)
    assert all(m["freshness"] == "fresh" and m["capacity"]["available"] > 0 for m in by_tier[0])
    positions = {m["service_id"]: m["rank"] for m in ranked}
    last_fresh_open = max(m["rank"] for m in by_tier[0])
    for tier in (1, 2):
        assert all(positions[m["service_id"]] > last_fresh_open for m in by_tier.get(tier, []))
    assert any(m["freshness"] == "stale" for m in ranked), "the region has a stale listing"
    assert by_tier.get(1) and by_tier.get(2), f"the region has both later tiers: {set(by_tier)}"


async def test_urgent_requests_put_crisis_resources_first(client: httpx.AsyncClient) -> None:
    body = await matches(client, coverage="medicaid", urgency="urgent", **DOWNTOWN)
    assert body["crisis_resources"][0]["contact"].endswith("988")
    routine = await matches(client, coverage="medicaid", **DOWNTOWN)
    assert routine["crisis_resources"] == []


async def test_language_filter_keeps_only_practices_speaking_it(client: httpx.AsyncClient) -> None:
    body = await matches(client, coverage="medicaid", language="es", limit=50, **DOWNTOWN)
    ids = [m["service_id"] for m in body["matches"]]
    listings = [
        (await client.get(f"/v1/organizations/{m['organization_id']}/listing")).json()
        for m in body["matches"]
    ]
    offered = {s["id"]: s["languages"] for org in listings for s in org["services"]}
    assert ids and all(any(t.split("-")[0] == "es" for t in offered[i]) for i in ids)


async def test_matching_requires_a_place_and_refuses_practices(region: Network) -> None:
    async with httpx.AsyncClient(base_url=region.url("directory")) as c:
        missing = await c.get(
            "/v1/matches",
            params={"level_of_care": "outpatient_therapy", "coverage": "uninsured"},
            headers=region.auth("riverside-ob", Role.CLINIC),
        )
        assert missing.status_code == 422 and missing.json()["errors"][0]["parameter"]
        practice = await c.get(
            "/v1/matches",
            params={"level_of_care": "outpatient_therapy", "coverage": "uninsured", **DOWNTOWN},
            headers=region.auth("bloom-therapy", Role.PRACTICE),
        )
        assert practice.status_code == 403


async def test_a_suspended_practice_drops_out_of_matches(
    region: Network, client: httpx.AsyncClient
) -> None:
    before = await matches(client, coverage="uninsured", limit=50, **DOWNTOWN)
    assert "lantern-telehealth" in {m["organization_id"] for m in before["matches"]}
    admin = region.auth("network-admin", Role.ADMIN)
    await client.post("/v1/organizations/lantern-telehealth/suspend", headers=admin)
    try:
        # Every replica's match index follows the database within moments of the commit.
        after = await eventually(
            lambda: matches(client, coverage="uninsured", limit=50, **DOWNTOWN),
            until=lambda body: (
                "lantern-telehealth" not in {m["organization_id"] for m in body["matches"]}
            ),
            timeout=5,
            what="the suspended practice to leave the matches",
        )
        assert ["lantern-telehealth-therapy", "suspended"] in [
            [e["service_id"], e["reason"]] for e in after["excluded"]
        ]
    finally:
        await client.post("/v1/organizations/lantern-telehealth/reactivate", headers=admin)


async def test_hsds_export_of_the_live_directory_validates(client: httpx.AsyncClient) -> None:
    export = (await client.get("/v1/hsds")).json()
    assert validate_export(export) == []
    services = (await client.get("/v1/hsds/services")).json()
    assert len(services) == 19
    assert all(s["capacities"] for s in services)
    stale = [
        s for s in services if any("STALE" in (c.get("description") or "") for c in s["capacities"])
    ]
    assert stale, "the back-dated listing is marked stale in the export"


async def test_the_hsds_export_comes_in_pages_that_add_up_to_the_whole(
    client: httpx.AsyncClient,
) -> None:
    """The whole directory in one answer grew with the network: pages of organizations, each
    with a Link to the next, and no page larger than DIRECTORY_HSDS_PAGE_MAX (500)."""
    whole = await client.get("/v1/hsds")
    assert "link" not in whole.headers, "a directory that fits one page answers as before"
    pages, url = [], "/v1/hsds?per_page=3"
    while url:
        page = await client.get(url)
        assert page.status_code == 200
        pages.append(page.json())
        link = page.headers.get("link", "")
        url = link.removeprefix("<").split(">;")[0] if 'rel="next"' in link else ""
    assert len(pages) > 2
    assert all(len(p["organizations"]) <= 3 for p in pages)
    for collection in ("organizations", "services", "locations", "service_at_locations"):
        paged = [item["id"] for p in pages for item in p[collection]]
        assert sorted(paged) == sorted(item["id"] for item in whole.json()[collection])
    services = await client.get("/v1/hsds/services", params={"per_page": 2})
    assert 'rel="next"' in services.headers["link"]
    too_many = await client.get("/v1/hsds", params={"per_page": 501})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["parameter"] == "per_page"
