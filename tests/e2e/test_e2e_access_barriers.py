"""Barriers asked before she leaves (issue 15 step 4), through the public APIs and Kafka: the
site records coded barriers and whether a voicemail or a text is safe with the referral; the
practice reads them on the referral; ReferralSubmitted carries the codes only; the follow-up
service's monthly review counts them per site."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body, problem
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role

TZ = ZoneInfo("America/Chicago")  # FOLLOWUP_NETWORK_TIME_ZONE's default


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory", "referral", "followup"])
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


async def submit(net: Network, client: httpx.AsyncClient, **overrides: Any) -> httpx.Response:
    headers = net.auth(SITE) | {"Idempotency-Key": str(uuid.uuid4())}
    return await client.post("/v1/referrals", json=body(**overrides), headers=headers)


def patient(**safe: bool) -> dict[str, Any]:
    return {"given_name": "Ana", "family_name": "Ruiz", "phone": "312-555-0142"} | safe


async def monthly_site_measures(net: Network, month: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=net.url("followup")) as followup:
        answer = await followup.get(
            "/v1/reports/monthly", params={"month": month}, headers=net.auth(SITE)
        )
    assert answer.status_code == 200, answer.text
    sites = {g["group"]: g["measures"] for g in answer.json()["groups"]["site"]}
    return sites.get(SITE, {})


async def test_barriers_and_safe_contact_reach_the_practice_and_the_monthly_review(
    net: Network, referral: httpx.AsyncClient
) -> None:
    made = await submit(
        net,
        referral,
        patient_ref="pt-barriers-1",
        patient=patient(voicemail_safe=False, text_safe=True),
        barriers=["time", "transport", "childcare", "transport"],
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert made.json()["barriers"] == ["transport", "childcare", "time"], "once each, code order"
    plain = await submit(net, referral, patient_ref="pt-barriers-2")
    assert plain.status_code == 201 and plain.json()["barriers"] == []

    # The practice reads them on the referral, the safe-contact answers with her contact details.
    read = await referral.get(f"/v1/referrals/{rid}", headers=net.auth(PRACTICE, Role.PRACTICE))
    assert read.status_code == 200, read.text
    assert read.json()["barriers"] == ["transport", "childcare", "time"]
    assert (read.json()["patient"]["voicemail_safe"], read.json()["patient"]["text_safe"]) == (
        False,
        True,
    )
    unasked = await referral.get(
        f"/v1/referrals/{plain.json()['id']}", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert unasked.json()["patient"]["voicemail_safe"] is None
    # Sealed at rest: the safe-contact answers are not columns anyone can read in the clear.
    (row,) = await net.query("referral", "SELECT * FROM referrals WHERE id = $1", uuid.UUID(rid))
    assert list(row["barriers"]) == ["transport", "childcare", "time"]
    assert not {"voicemail_safe", "text_safe"} & set(row.keys())

    # ReferralSubmitted carried the codes to the follow-up service: its monthly review counts
    # them for the site, in the month the referral was made.
    month = datetime.fromisoformat(made.json()["submitted_at"]).astimezone(TZ).strftime("%Y-%m")

    async def measures() -> dict[str, Any]:
        return await monthly_site_measures(net, month)

    counted = await eventually(
        measures, until=lambda m: m.get("referred", 0) >= 2, what="both referrals in the review"
    )
    assert counted["barriers"] == {"childcare": 1, "time": 1, "transport": 1}
    assert counted["referred_with_barriers"] == 1
    async with httpx.AsyncClient(base_url=net.url("followup")) as followup:
        csv_report = await followup.get(
            "/v1/reports/monthly", params={"month": month, "format": "csv"}, headers=net.auth(SITE)
        )
    row = f"{month},measures,site,{SITE},barriers.transport,1"
    assert row in csv_report.text.splitlines(), "the CSV review carries the same counts"
    facts = await net.query(
        "followup",
        "SELECT barriers FROM measure_referrals WHERE referral_id = $1",
        uuid.UUID(rid),
    )
    assert [list(f["barriers"]) for f in facts] == [["childcare", "time", "transport"]]


async def test_an_unknown_barrier_is_refused_at_its_place(
    net: Network, referral: httpx.AsyncClient
) -> None:
    refused = await submit(net, referral, barriers=["transport", "weather"])
    found = problem(refused, 422)
    assert [e["pointer"] for e in found["errors"]] == ["#/barriers/1"]
    bad_answer = await submit(net, referral, patient=patient() | {"text_safe": "maybe"})
    assert [e["pointer"] for e in problem(bad_answer, 422)["errors"]] == ["#/patient/text_safe"]
