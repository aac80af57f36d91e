"""Demo data may say its capacity was verified days ago, through the API, on a development
network only: a real network confirms capacity now (test_e2e_directory_stale covers the refusal)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import orjson
import pytest

from tests.e2e import directory_support as d
from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from warmlink.auth import Role


@pytest.fixture(scope="module")
def dev_net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory"], {"ENVIRONMENT": "development"})
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def client(dev_net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=dev_net.url("directory")) as c:
        yield c


async def test_a_development_directory_takes_a_backdated_verification(
    dev_net: Network, client: httpx.AsyncClient
) -> None:
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    service = await d.list_practice(
        dev_net, client, "demo-practice", capacity={"verified_at": eight_days_ago.isoformat()}
    )
    listing = await client.get(
        "/v1/organizations/demo-practice/listing", headers=dev_net.auth("riverside-ob")
    )
    assert listing.status_code == 200, listing.text
    shown = listing.json()["services"][0]
    assert datetime.fromisoformat(shown["capacity"]["verified_at"]) == eight_days_ago
    assert shown["capacity_freshness"] == "stale"
    rows = await dev_net.query(
        "directory", "SELECT payload FROM outbox WHERE event_type = 'CapacityUpdated'"
    )
    published = [orjson.loads(r["payload"])["data"] for r in rows]
    assert [e["stale"] for e in published if e["service_id"] == service] == [True]


def in_an_hour() -> str:
    return (datetime.now(UTC) + timedelta(hours=1)).isoformat()


def without_offset() -> str:
    return "2025-03-01T09:00:00"  # which instant is it?


@pytest.mark.parametrize("when", [in_an_hour, without_offset])
async def test_a_backdated_verification_must_be_a_past_instant(
    dev_net: Network, client: httpx.AsyncClient, when: Callable[[], str]
) -> None:
    verified_at = when()  # taken when the test runs, not at import
    service = await d.list_practice(dev_net, client, "careful-practice")
    response = await client.put(
        f"/v1/services/{service}/capacity",
        json={"available": 1, "maximum": 3, "verified_at": verified_at},
        headers=dev_net.auth("careful-practice", Role.PRACTICE),
    )
    assert response.status_code == 422, response.text
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/verified_at"]
