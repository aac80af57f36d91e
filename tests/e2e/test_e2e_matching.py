"""Matching and the HSDS export over the seeded demo region, through the directory's API."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from services.directory.hsds.adapters.validate import (
    validate_page,
    validate_record,
    validate_response,
)
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


async def hsds_pages(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of an HSDS list, each checked against the published OpenAPI response."""
    pages: list[dict[str, Any]] = []
    while not pages or not pages[-1]["last_page"]:
        query = params | {"page": len(pages) + 1}
        response = await client.get(f"/v1/hsds{path}", params=query)
        assert response.status_code == 200, response.text
        assert validate_page(path, response.json()) == []
        pages.append(response.json())
    return pages


async def hsds_ids(client: httpx.AsyncClient, path: str, **params: Any) -> set[str]:
    ids = [
        item["id"] for page in await hsds_pages(client, path, **params) for item in page["contents"]
    ]
    assert len(ids) == len(set(ids))
    return set(ids)


async def full_services(client: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Every service of the live directory as /v1/hsds/services/{id} answers it."""
    found = {}
    for service_id in await hsds_ids(client, "/services", per_page=500):
        response = await client.get(f"/v1/hsds/services/{service_id}")
        assert response.status_code == 200, response.text
        found[service_id] = response.json()
    return found


async def test_the_hsds_api_answers_as_the_published_reference_reads_it(
    client: httpx.AsyncClient,
) -> None:
    root = (await client.get("/v1/hsds")).json()
    assert root["version"] == "3.1" and root["openapi_url"].endswith("/openapi.json")
    assert validate_response("/", root) == []
    pages = await hsds_pages(client, "/services", per_page=5)
    assert [p["page_number"] for p in pages] == [1, 2, 3, 4]
    assert {(p["total_items"], p["total_pages"]) for p in pages} == {(19, 4)}
    assert [p["size"] for p in pages] == [5, 5, 5, 4]
    services = await full_services(client)
    assert {s for p in pages for s in (item["id"] for item in p["contents"])} == set(services)
    errors = [e for s in services.values() for e in validate_record("service", s)]
    assert errors == []
    assert all(s["capacities"] and s["organization"] for s in services.values())
    stale = [
        s for s in services.values() if any("STALE" in c["description"] for c in s["capacities"])
    ]
    assert stale, "the back-dated listing is marked stale in the export"
    organizations = await hsds_ids(client, "/organizations", per_page=4)
    for org_id in organizations:
        org = (await client.get(f"/v1/hsds/organizations/{org_id}")).json()
        assert validate_record("organization", org) == [], org_id
    assert {s["organization_id"] for s in services.values()} <= organizations
    assert len(await hsds_ids(client, "/taxonomy_terms", per_page=10)) > 20
    assert len(await hsds_ids(client, "/taxonomies")) == 1
    for missing in ("/services/", "/organizations/"):
        absent = await client.get(f"/v1/hsds{missing}{uuid.uuid4()}")
        assert absent.status_code == 404, missing
        assert absent.headers["content-type"] == "application/problem+json"
    too_many = await client.get("/v1/hsds/services", params={"per_page": 501})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["parameter"] == "per_page"


async def test_hsds_services_filter_by_modification_taxonomy_organization_and_text(
    client: httpx.AsyncClient,
) -> None:
    services = await full_services(client)
    stamps = sorted({s["last_modified"] for s in services.values()})
    middle = stamps[len(stamps) // 2]
    later = {s["id"] for s in services.values() if s["last_modified"] >= middle}
    assert 0 < len(later) < len(services), stamps
    assert await hsds_ids(client, "/services", modified_after=middle) == later
    assert await hsds_ids(client, "/services", modified_after=stamps[0]) == set(services)
    naive = await client.get("/v1/hsds/services", params={"modified_after": "2025-03-10T09:00:00"})
    assert naive.status_code == 422
    narrowed = 0
    for term in (await hsds_pages(client, "/taxonomy_terms", per_page=500))[0]["contents"]:
        tagged = {
            s["id"]
            for s in services.values()
            if term["id"] in {a["taxonomy_term_id"] for a in s["attributes"]}
        }
        assert await hsds_ids(client, "/services", taxonomy_term_id=term["id"]) == tagged, term
        narrowed += 0 < len(tagged) < len(services)
    assert narrowed > 5, "terms that keep some services and leave others out"
    vocabulary = (await hsds_pages(client, "/taxonomies"))[0]["contents"][0]["id"]
    assert await hsds_ids(client, "/services", taxonomy_id=vocabulary) == set(services)
    assert await hsds_ids(client, "/services", taxonomy_id=str(uuid.uuid4())) == set()
    assert await hsds_ids(client, "/services", taxonomy_term_id=str(uuid.uuid4())) == set()
    bloom = {
        s["id"] for s in services.values() if s["organization"]["name"] == "Bloom Perinatal Therapy"
    }
    org_id = services[next(iter(bloom))]["organization_id"]
    assert await hsds_ids(client, "/services", organization_id=org_id) == bloom
    assert await hsds_ids(client, "/services", search="bloom perinatal") == bloom
