"""A positive screen at a clinic reaches the site's worklist, over the broker, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.e2e.conftest import Network
from tests.support.waiting import eventually

SITE = "riverside-ob"


def now() -> str:
    """Taken when a screen is sent: the suite may run for minutes after import."""
    return datetime.now(UTC).isoformat()


def phq9(patient_ref: str, answers: list[int]) -> dict[str, Any]:
    return {
        "instrument": "PHQ-9",
        "answers": answers,
        "patient_ref": patient_ref,
        "setting": "ob",
        "screened_at": now(),
    }


async def worklist(network: Network, site: str = SITE) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=network.url("referral")) as client:
        response = await client.get("/v1/worklist", headers=network.auth(site))
        response.raise_for_status()
        items: list[dict[str, Any]] = response.json()["items"]
        return items


async def test_positive_screen_becomes_one_worklist_item_and_negative_none(
    network: Network,
) -> None:
    async with httpx.AsyncClient(base_url=network.url("screening")) as client:
        negative = await client.post(
            "/v1/screenings", json=phq9("e2e-neg", [0] * 9), headers=network.auth(SITE)
        )
        positive = await client.post(
            "/v1/screenings",
            json=phq9("e2e-pos", [2, 2, 2, 2, 1, 1, 0, 0, 0]),
            headers=network.auth(SITE),
        )
    assert negative.status_code == 201 and negative.json()["positive"] is False
    assert positive.status_code == 201
    body = positive.json()
    assert (body["total"], body["band"], body["positive"], body["urgent"]) == (
        10,
        "moderate",
        True,
        False,
    )

    items = await eventually(
        lambda: worklist(network),
        until=lambda items: any(i["patient_ref"] == "e2e-pos" for i in items),
        what="worklist item",
    )
    mine = [i for i in items if i["patient_ref"] == "e2e-pos"]
    assert len(mine) == 1 and mine[0]["screening_id"] == body["id"]
    assert not any(i["patient_ref"] == "e2e-neg" for i in items)
    followup = await eventually(
        lambda: network.query(
            "followup", "SELECT * FROM positive_screens WHERE screening_id = $1::uuid", body["id"]
        ),
        what="follow-up measure row",
    )
    assert followup[0]["site_id"] == SITE
    # Still once, now that the event has been through every consumer.
    again = [i for i in await worklist(network) if i["patient_ref"] == "e2e-pos"]
    assert [i["screening_id"] for i in again] == [body["id"]]


async def test_urgent_screen_is_listed_first_with_crisis_resources_first(network: Network) -> None:
    async with httpx.AsyncClient(base_url=network.url("screening")) as client:
        response = await client.post(
            "/v1/screenings",
            json={
                "instrument": "EPDS",
                "answers": [0, 0, 3, 0, 3, 3, 3, 3, 3, 2],
                "patient_ref": "e2e-urgent",
                "setting": "hospital",
                "screened_at": now(),
            },
            headers=network.auth(SITE),
        )
    body = response.json()
    assert body["urgent"] is True
    assert body["next_steps"]["resources"][0]["contact"] == "Call or text 988"
    items = await eventually(
        lambda: worklist(network),
        until=lambda items: any(i["patient_ref"] == "e2e-urgent" for i in items),
        what="urgent worklist item",
    )
    assert items[0]["patient_ref"] == "e2e-urgent"


async def test_worklist_shows_only_the_callers_own_site(network: Network) -> None:
    async with httpx.AsyncClient(base_url=network.url("screening")) as client:
        await client.post(
            "/v1/screenings",
            json=phq9("other-site-pt", [3] * 9),
            headers=network.auth("maple-pediatrics"),
        )
    await eventually(
        lambda: worklist(network, "maple-pediatrics"),
        until=lambda items: len(items) == 1,
        what="the other site's item",
    )
    assert not any(i["patient_ref"] == "other-site-pt" for i in await worklist(network))
