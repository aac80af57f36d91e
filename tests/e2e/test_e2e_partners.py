"""Referral partners established in advance, through the directory's API over the demo region:
a site coordinator keeps her site's preferred practices; its matches put those that fit first,
marked, and say why one that does not fit is not there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tools.dev.seed import seed_region
from warmlink.auth import Role
from warmlink.roles import PersonRole
from warmlink.tokens import issue_token

SITE, OTHER_SITE = "riverside-ob", "cedar-heights-obgyn"
DOWNTOWN = {"latitude": 41.88, "longitude": -87.63}
# A private practice that takes plans only: nothing for a patient without insurance.
PLANS_ONLY = "bloom-therapy"


@pytest.fixture(scope="module")
def region(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory"])
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


def person(net: Network, org: str, role: PersonRole) -> dict[str, str]:
    """A token the portal would get for one of the site's people (RFC 8693 exchange)."""
    token = issue_token(
        net.stack.signing_key.read_bytes(),
        organization_id=org,
        role=Role.CLINIC,
        person=(str(uuid.uuid4()), role, "portal"),
    )
    return {"Authorization": f"Bearer {token}"}


def url(net: Network, org: str = SITE) -> str:
    return f"{net.url('directory')}/v1/organizations/{org}/preferred-practices"


def matches(net: Network, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    query = {"level_of_care": "outpatient_therapy", "coverage": "uninsured"} | DOWNTOWN | params
    response = httpx.get(f"{net.url('directory')}/v1/matches", params=query, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_site_coordinator_keeps_the_partners_and_others_may_not(region: Network) -> None:
    coordinator = person(region, SITE, PersonRole.SITE_COORDINATOR)
    assert httpx.get(url(region), headers=coordinator).json()["practice_ids"] == []
    chosen = {"practice_ids": ["northside-cmhc", "bloom-therapy", "northside-cmhc"]}
    kept = httpx.put(url(region), json=chosen, headers=coordinator)
    assert kept.status_code == 200, kept.text
    assert kept.json()["practice_ids"] == ["northside-cmhc", "bloom-therapy"]
    by_machine = httpx.get(url(region), headers=region.auth(SITE, Role.CLINIC))
    assert by_machine.json()["practice_ids"] == ["northside-cmhc", "bloom-therapy"]

    unknown = httpx.put(
        url(region), json={"practice_ids": ["bloom-therapy", "riverside-ob"]}, headers=coordinator
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    assert unknown.json()["errors"][0]["pointer"] == "#/practice_ids/1"
    clinician = person(region, SITE, PersonRole.CLINICIAN)
    assert httpx.put(url(region), json=chosen, headers=clinician).status_code == 403
    other = person(region, OTHER_SITE, PersonRole.SITE_COORDINATOR)
    assert httpx.get(url(region), headers=other).status_code == 404
    assert httpx.put(url(region), json=chosen, headers=other).status_code == 404
    practice = region.auth("bloom-therapy", Role.PRACTICE)
    assert httpx.get(url(region, "bloom-therapy"), headers=practice).status_code == 403
    after = httpx.get(url(region), headers=coordinator).json()["practice_ids"]
    assert after == ["northside-cmhc", "bloom-therapy"], "refused changes changed nothing"


def test_partners_that_fit_come_first_and_one_that_does_not_says_why(region: Network) -> None:
    coordinator = person(region, OTHER_SITE, PersonRole.SITE_COORDINATOR)
    before = matches(region, coordinator, limit=20)["matches"]
    # The lowest-ranked one with an open slot, or one that may have one (tier 0 or 1).
    last = next(m["organization_id"] for m in reversed(before) if m["tier"] < 2)
    assert before[0]["organization_id"] != last, "the region offers more than one"
    chosen = {"practice_ids": [last, PLANS_ONLY]}
    assert httpx.put(url(region, OTHER_SITE), json=chosen, headers=coordinator).status_code == 200

    clinician = person(region, OTHER_SITE, PersonRole.CLINICIAN)
    body = matches(region, clinician, limit=20)
    first = body["matches"][0]
    assert first["organization_id"] == last and first["preferred"] is True
    assert first["reasons"][0] == "Preferred partner of your site"
    assert isinstance(first["expected_days_to_first_appointment"], int)
    assert first["usable_without_insurance"] is True
    rest = body["matches"][1:]
    assert not any(m["preferred"] for m in rest) and all(m["reasons"] for m in rest)
    assert [m["organization_id"] for m in rest] == [
        m["organization_id"] for m in before if m["organization_id"] != last
    ], "the others keep their order"
    (miss,) = body["partners_not_fitting"]
    assert (miss["organization_id"], miss["reason"]) == (PLANS_ONLY, "coverage")
    assert "not usable without insurance" in miss["explanation"]
    # Another site's matches know only its own partners.
    own = {"practice_ids": ["northside-cmhc"]}
    site = region.auth(SITE, Role.CLINIC)
    assert httpx.put(url(region), json=own, headers=site).status_code == 200
    elsewhere = matches(region, site, limit=20)
    assert {m["organization_id"] for m in elsewhere["matches"] if m["preferred"]} == {
        "northside-cmhc"
    }
    assert elsewhere["partners_not_fitting"] == []
