"""Capacity nobody confirms goes stale, and the directory tells the network once per ageing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import orjson
import pytest

from tests.e2e import directory_support as d
from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.auth import Role


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory"], {"STALE_SWEEP_INTERVAL_S": "0.2"})
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def client(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("directory")) as c:
        yield c


async def capacity_events(net: Network, service_id: str) -> list[dict[str, object]]:
    rows = await net.query(
        "directory",
        "SELECT payload FROM outbox WHERE event_type = 'CapacityUpdated' ORDER BY id",
    )
    events = [orjson.loads(r["payload"])["data"] for r in rows]
    return [e for e in events if e["service_id"] == service_id]


async def test_ageing_capacity_is_announced_stale_once_and_a_confirmation_freshens_it(
    net: Network, client: httpx.AsyncClient
) -> None:
    service = await d.list_practice(net, client, "ageing-practice")
    assert [e["stale"] for e in await capacity_events(net, service)] == [False]

    await net.query(
        "directory",
        "UPDATE capacities SET verified_at = now() - interval '8 days' WHERE service_id = $1",
        service,
    )
    announced = await eventually(
        lambda: capacity_events(net, service),
        until=lambda events: len(events) == 2,
        what="the stale announcement",
    )
    assert announced[1]["stale"] is True
    assert announced[1]["available"] == announced[0]["available"]

    # More sweeps pass: no second announcement for the same ageing.
    await eventually(
        lambda: net.query(
            "directory",
            "SELECT stale_announced_at FROM capacities WHERE service_id = $1",
            service,
        ),
        until=lambda rows: rows[0]["stale_announced_at"] is not None,
        what="the record marked announced",
    )
    # Nothing to wait for: a second announcement is what must not happen. Five sweep intervals
    # (STALE_SWEEP_INTERVAL_S above) give five chances for it.
    await asyncio.sleep(1.0)
    before = len(await capacity_events(net, service))
    confirm = {
        "available": 1,
        "maximum": 3,
        "next_available_intake": str(date.today() + timedelta(days=3)),
    }
    confirmed = await client.put(
        f"/v1/services/{service}/capacity",
        json=confirm,
        headers=net.auth("ageing-practice", Role.PRACTICE),
    )
    assert confirmed.status_code == 204, confirmed.text
    events = await capacity_events(net, service)
    assert before == 2 and [e["stale"] for e in events] == [False, True, False]
    rows = await net.query(
        "directory", "SELECT stale_announced_at FROM capacities WHERE service_id = $1", service
    )
    assert rows[0]["stale_announced_at"] is None


async def test_only_a_development_directory_takes_a_backdated_verification(
    net: Network, client: httpx.AsyncClient
) -> None:
    service = await d.list_practice(net, client, "honest-practice")
    backdated = {
        "available": 1,
        "maximum": 3,
        "verified_at": (datetime.now(UTC) - timedelta(days=8)).isoformat(),
    }
    response = await client.put(
        f"/v1/services/{service}/capacity",
        json=backdated,
        headers=net.auth("honest-practice", Role.PRACTICE),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {
            "pointer": "#/verified_at",
            "detail": "verified_at is accepted only when the directory runs in development.",
        }
    ]
    assert [e["stale"] for e in await capacity_events(net, service)] == [False]  # nothing stored
