"""EPDS cut-offs by perinatal period, through the API and over the broker: a network that reads
the EPDS at >= 15 in pregnancy and at >= 9 after birth scores one total three ways, says which
cut-offs applied, and keeps the self-harm item urgent in every period."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts import ScreenPositive, decode, payload_of
from contracts.topics import SCREENING
from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_screen_to_worklist import SITE, now
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tests.unit.screening.test_screening_scoring import epds_positions_for, epds_positions_totalling

# The dev stack adds the service prefix (SCREENING_) to every variable it passes.
ANTENATAL = {"EPDS_ANTENATAL_POSSIBLE": "15", "EPDS_ANTENATAL_PROBABLE": "15"}
POSTPARTUM = {"EPDS_POSTPARTUM_POSSIBLE": "9", "EPDS_POSTPARTUM_PROBABLE": "12"}


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["screening"], ANTENATAL | POSTPARTUM)
    try:
        yield Network(stack)
    finally:
        stack.stop()


def epds(patient_ref: str, answers: list[int], **extra: Any) -> dict[str, Any]:
    return {
        "instrument": "EPDS",
        "answers": answers,
        "patient_ref": patient_ref,
        "setting": "ob",
        "screened_at": now(),
    } | extra


async def record(net: Network, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=net.url("screening")) as client:
        response = await client.post("/v1/screenings", json=body, headers=net.auth(SITE))
        assert response.status_code == 201, response.text
        read = await client.get(f"/v1/screenings/{response.json()['id']}", headers=net.auth(SITE))
    assert read.json() == response.json()  # the stored record says the same
    answer: dict[str, Any] = response.json()
    return answer


async def screen_positive_events(net: Network, wanted: set[str]) -> dict[str, ScreenPositive]:
    """The ScreenPositive events of `wanted` screening ids, as they went over the broker."""
    assert net.stack.infra is not None
    topic = net.stack.common_env["KAFKA_TOPIC_PREFIX"] + SCREENING
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=net.stack.infra.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[str, ScreenPositive] = {}
    try:

        async def drain() -> set[str]:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for r in batch:
                    event = payload_of(decode(r.value))
                    if isinstance(event, ScreenPositive) and str(event.screening_id) in wanted:
                        seen[str(event.screening_id)] = event
            return set(seen)

        await eventually(drain, until=lambda ids: ids == wanted, what="ScreenPositive events")
    finally:
        await consumer.stop()
    return seen


async def test_one_total_is_read_against_the_cut_offs_of_its_period(net: Network) -> None:
    twelve = epds_positions_totalling(12)
    antenatal = await record(net, epds("per-ante", twelve, period="antenatal"))
    postpartum = await record(net, epds("per-post", twelve, period="postpartum"))
    unsaid = await record(net, epds("per-none", twelve))  # a client from before the field
    assert (antenatal["band"], antenatal["positive"]) == ("below_threshold", False)
    assert (postpartum["band"], postpartum["positive"]) == ("probable_depression", True)
    assert (unsaid["band"], unsaid["positive"]) == ("possible_depression", True)
    assert antenatal["interpretation"] == {
        "period": "antenatal",
        "positive_at": 15,
        "probable_at": 15,
        "summary": "EPDS total 12 is below the antenatal cut-offs "
        "(possible depression at 15, probable at 15).",
    }
    assert (postpartum["period"], postpartum["interpretation"]["positive_at"]) == ("postpartum", 9)
    assert unsaid["period"] is None
    assert unsaid["interpretation"]["summary"].startswith(
        "EPDS total 12 meets the default cut-offs (no period)"
    )
    events = await screen_positive_events(net, {postpartum["id"], unsaid["id"]})
    assert (events[postpartum["id"]].period, events[postpartum["id"]].positive_cutoff) == (
        "postpartum",
        9,
    )
    assert (events[unsaid["id"]].period, events[unsaid["id"]].positive_cutoff) == (None, 10)


async def test_the_self_harm_item_is_urgent_whatever_the_period_cut_off(net: Network) -> None:
    # Total 4, far under the antenatal 15, with item 10 scoring 1.
    answers = epds_positions_for([1, 1, 1, 0, 0, 0, 0, 0, 0, 1])
    urgent = await record(net, epds("per-urgent", answers, period="antenatal"))
    assert (urgent["total"], urgent["band"]) == (4, "below_threshold")
    assert urgent["urgent"] and urgent["positive"]
    assert urgent["next_steps"]["resources"][0]["contact"] == "Call or text 988"
    assert "urgent in any period" in urgent["interpretation"]["summary"]
    events = await screen_positive_events(net, {urgent["id"]})
    assert events[urgent["id"]].urgent and events[urgent["id"]].positive_cutoff == 15


async def test_an_unknown_period_is_a_problem_naming_the_field(net: Network) -> None:
    async with httpx.AsyncClient(base_url=net.url("screening")) as client:
        response = await client.post(
            "/v1/screenings",
            json=epds("per-bad", epds_positions_totalling(12), period="third_trimester"),
            headers=net.auth(SITE),
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/period"]
