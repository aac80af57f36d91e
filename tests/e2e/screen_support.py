"""A network whose urgent screens have seconds of business hours, and a positive screen on
its site's worklist: what the screen accounting and invariant tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually

SITE = "lakeview-ob"
# 0.001 business hours is 3.6 seconds: the scheduler fires the clocks while the test waits.
SHORT_CLOCKS = {
    "COORDINATOR_HOURS": "around_the_clock",
    "URGENT_SCREEN_ACCOUNT_BUSINESS_HOURS": "0.001",
    "URGENT_SCREEN_NETWORK_AFTER_BUSINESS_HOURS": "0.001",
    "SCHEDULER_INTERVAL_S": "0.2",
}


# Imported by the modules that use them; named apart so the tests' parameters shadow nothing.
@pytest.fixture(scope="module", name="net")
def short_clock_network(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["screening", "referral", "followup"], SHORT_CLOCKS)
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture(name="clients")
async def screen_clients(net: Network) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=net.url("screening")) as screening,
        httpx.AsyncClient(base_url=net.url("referral")) as referral,
        httpx.AsyncClient(base_url=net.url("followup")) as followup,
    ):
        yield {"screening": screening, "referral": referral, "followup": followup}


async def screen(
    net: Network, c: dict[str, httpx.AsyncClient], patient_ref: str, *, urgent: bool
) -> str:
    """A positive PHQ-9 (item 9 above zero when urgent), on its site's worklist."""
    body = {
        "instrument": "PHQ-9",
        "answers": [2, 2, 2, 2, 1, 1, 0, 0, 1 if urgent else 0],
        "patient_ref": patient_ref,
        "setting": "ob",
        "screened_at": datetime.now(UTC).isoformat(),
    }
    made = await c["screening"].post("/v1/screenings", json=body, headers=net.auth(SITE))
    assert made.status_code == 201 and made.json()["urgent"] is urgent, made.text
    screening_id: str = made.json()["id"]
    await eventually(
        lambda: item(net, c, screening_id), until=lambda r: r.status_code == 200, what="worklist"
    )
    return screening_id


async def item(net: Network, c: dict[str, httpx.AsyncClient], sid: str) -> httpx.Response:
    return await c["referral"].get(f"/v1/worklist/{sid}", headers=net.auth(SITE))
