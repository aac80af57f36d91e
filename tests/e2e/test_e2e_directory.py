"""The directory over the real broker and database: capacity that follows referral events
exactly once, listings only their owners may change, and clear errors for bad listings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e import directory_support as d
from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.auth import Role


@pytest.fixture(scope="module")
def directory_network(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory"])
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def client(directory_network: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=directory_network.url("directory")) as c:
        yield c


async def available(net: Network, service_id: str) -> int:
    rows = await net.query(
        "directory", "SELECT available FROM capacities WHERE service_id = $1", service_id
    )
    return int(rows[0]["available"])


async def test_capacity_is_held_released_and_consumed_once_under_redelivery(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    net = directory_network
    service = await d.list_practice(net, client, "holding-practice")  # 2 of 3 open
    r1, r2, r3 = (d.submitted("holding-practice", service) for _ in range(3))
    first = d.envelope(r1)
    await d.send(net, first, first)  # delivered twice
    await eventually(lambda: available(net, service), until=lambda n: n == 1, what="r1 held")
    await d.send(net, d.envelope(r2))
    await eventually(lambda: available(net, service), until=lambda n: n == 0, what="r2 held")
    await d.send(net, d.envelope(r3))  # no slot left: r3 is held but takes nothing
    await eventually(
        lambda: net.query(
            "directory",
            "SELECT took_slot FROM capacity_holds WHERE referral_id = $1",
            r3.referral_id,
        ),
        until=lambda rows: len(rows) == 1 and rows[0]["took_slot"] is False,
        what="r3 held without a slot",
    )
    declined = d.envelope(d.declined(r1))
    await d.send(net, declined, declined, d.envelope(d.cancelled(r3)), d.envelope(d.scheduled(r2)))
    holds = await eventually(
        lambda: net.query(
            "directory", "SELECT referral_id, state FROM capacity_holds ORDER BY updated_at"
        ),
        until=lambda rows: sorted(r["state"] for r in rows) == ["consumed", "released", "released"],
        what="all holds settled",
    )
    assert len(holds) == 3
    assert await available(net, service) == 1  # only r1's slot came back
    events = await net.query(
        "directory",
        "SELECT payload FROM outbox"
        " WHERE event_type = 'CapacityUpdated' AND key = 'holding-practice'",
    )
    # one when the practice confirmed capacity, then r1 held, r2 held, r1 released
    assert len(events) == 4


async def test_a_practice_cannot_change_another_practices_capacity(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    net = directory_network
    service = await d.list_practice(net, client, "guarded-practice")
    body = {"available": 9, "maximum": 9}
    other = await client.put(
        f"/v1/services/{service}/capacity",
        json=body,
        headers=net.auth("someone-else", Role.PRACTICE),
    )
    assert other.status_code == 403 and other.headers["content-type"] == "application/problem+json"
    clinic = await client.put(
        f"/v1/services/{service}/capacity",
        json=body,
        headers=net.auth("guarded-practice", Role.CLINIC),
    )
    assert clinic.status_code == 403
    assert await available(net, service) == 2
    admin = await client.put(
        f"/v1/services/{service}/capacity", json=body, headers=net.auth(d.ADMIN, Role.ADMIN)
    )
    assert admin.status_code == 204 and await available(net, service) == 9
    missing = await client.put(
        "/v1/services/no-such-service/capacity", json=body, headers=net.auth(d.ADMIN, Role.ADMIN)
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"available": -1, "maximum": 3}, "#/available"),
        ({"available": 4, "maximum": 3}, "#/available"),
        ({"available": 1, "maximum": 3, "waitlist_length": -2}, "#/waitlist_length"),
        (
            {"available": 1, "maximum": 3, "next_available_intake": "soon"},
            "#/next_available_intake",
        ),
    ],
)
async def test_invalid_capacity_gets_422_naming_the_field(
    directory_network: Network, client: httpx.AsyncClient, body: dict[str, object], pointer: str
) -> None:
    net = directory_network
    service = await d.list_practice(net, client, "strict-practice")
    response = await client.put(
        f"/v1/services/{service}/capacity",
        json=body,
        headers=net.auth("strict-practice", Role.PRACTICE),
    )
    assert response.status_code == 422
    assert pointer in [e.get("pointer") for e in response.json()["errors"]]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"languages": ["en", "xx"]}, "#/languages"),
        ({"telehealth_states": ["ZZ"]}, "#/telehealth_states"),
        ({"level_of_care": "yoga"}, "#/level_of_care"),
        ({"location_ids": ["not-ours"]}, "#/location_ids/0"),
        ({"telehealth_states": [], "modalities": ["telehealth"]}, "#/telehealth_states"),
        (
            {"intake_hours": [{"weekday": 7, "opens": "09:00", "closes": "17:00"}]},
            "#/intake_hours/0/weekday",
        ),
        ({"time_zone": "Mars/Olympus"}, "#/time_zone"),
    ],
)
async def test_invalid_listings_get_422_naming_the_field(
    directory_network: Network, client: httpx.AsyncClient, change: dict[str, object], pointer: str
) -> None:
    net = directory_network
    await d.list_practice(net, client, "careful-practice")
    body = d.service_body(location_ids=["careful-practice-main"]) | change
    response = await client.put(
        "/v1/organizations/careful-practice/services/careful-2",
        json=body,
        headers=net.auth("careful-practice", Role.PRACTICE),
    )
    assert response.status_code == 422, response.text
    assert pointer in [e.get("pointer") for e in response.json()["errors"]]


async def test_a_practice_edits_only_its_own_listing(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    net = directory_network
    await d.list_practice(net, client, "owner-practice")
    body = d.service_body(location_ids=["owner-practice-main"])
    response = await client.put(
        "/v1/organizations/owner-practice/services/hijack",
        json=body,
        headers=net.auth("other-practice", Role.PRACTICE),
    )
    assert response.status_code == 403
    listing = await client.get(
        "/v1/organizations/owner-practice/listing", headers=net.auth("riverside-ob", Role.CLINIC)
    )
    assert listing.status_code == 200
    service = listing.json()["services"][0]
    assert service["capacity_freshness"] == "fresh" and service["capacity"]["verified_by"]


async def test_a_redirect_holds_at_the_next_practice_and_attendance_is_observed(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    net = directory_network
    first_service = await d.list_practice(net, client, "first-practice")  # 2 of 3 open
    next_service = await d.list_practice(net, client, "next-practice")
    moved, kept, missed = (d.submitted("first-practice", first_service) for _ in range(3))
    redirect = d.envelope(d.redirected(moved, "next-practice", next_service))
    await d.send(net, d.envelope(moved), d.envelope(d.declined(moved)), redirect, redirect)
    await eventually(
        lambda: available(net, next_service), until=lambda n: n == 1, what="redirect held"
    )
    kept_at, missed_at = d.scheduled(kept), d.scheduled(missed)
    await d.send(net, d.envelope(kept), d.envelope(kept_at), d.envelope(missed))
    await d.send(net, d.envelope(missed_at), d.envelope(d.attendance(kept_at, attended=True)))
    await d.send(net, d.envelope(d.attendance(missed_at, attended=False)))

    async def observed(practice: str) -> dict[str, object]:
        listing = await client.get(
            f"/v1/organizations/{practice}/listing",
            headers=net.auth("riverside-ob", Role.CLINIC),
        )
        body: dict[str, object] = listing.json()["observed"]
        return body

    first = await eventually(
        lambda: observed("first-practice"),
        until=lambda o: o["attendance_rate"] == 0.5 and o["referrals"] == 2,
        what="attendance observed at the first practice",
    )
    assert first["median_days_to_first_appointment"] == 3.0
    assert first["decline_rate"] == 0.0  # the redirected referral now counts at the next one
    await eventually(
        lambda: observed("next-practice"),
        until=lambda o: o["referrals"] == 1,
        what="the redirected referral observed at the next practice",
    )
    # the declined hold gave its slot back, the scheduled ones keep theirs
    assert await available(net, first_service) == 0
    assert await available(net, next_service) == 1


async def test_observed_behaviour_follows_referral_events(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    net = directory_network
    service = await d.list_practice(net, client, "observed-practice")
    first, second = (d.submitted("observed-practice", service) for _ in range(2))
    acknowledged = d.acknowledged(first, hours_later=6)
    await d.send(net, d.envelope(first), d.envelope(second), d.envelope(acknowledged))
    await d.send(net, d.envelope(d.declined(second)))

    async def observed() -> dict[str, object]:
        listing = await client.get(
            "/v1/organizations/observed-practice/listing",
            headers=net.auth("riverside-ob", Role.CLINIC),
        )
        body: dict[str, object] = listing.json()["observed"]
        return body

    seen = await eventually(
        observed,
        # the two referrals' events travel on different partitions: wait for both
        until=lambda o: (
            o["referrals"] == 2
            and o["decline_rate"] is not None
            and o["median_hours_to_acknowledge"] is not None
        ),
        what="observed behaviour",
    )
    assert seen["median_hours_to_acknowledge"] == 6.0
    assert seen["decline_rate"] == 0.5
    assert seen["decline_reasons"] == [["no_capacity", 1]]


async def test_an_appointment_seen_before_its_submission_consumes_one_slot_once(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    """Events can reach the directory out of order: a relay that re-sends a batch after a
    partial failure (the fault campaign's broker losses) puts a referral's AppointmentScheduled
    ahead of its ReferralSubmitted. The table in domain/holds.py says an appointment with no
    hold consumes a slot; the event names no service, so the practice's one service at the
    appointment's level of care is the one. Before, the appointment was dropped and the late
    submission then held a slot for a referral already scheduled, for good."""
    net = directory_network
    service = await d.list_practice(net, client, "reordered-practice")  # 2 of 3 open
    first = d.submitted("reordered-practice", service)
    await d.send(net, d.envelope(d.scheduled(first)))
    await eventually(lambda: available(net, service), until=lambda n: n == 1, what="consumed")
    await d.send(net, d.envelope(first))
    second = d.submitted("reordered-practice", service)
    await d.send(net, d.envelope(second))  # an event after the late one: it has been applied
    await eventually(lambda: available(net, service), until=lambda n: n == 0, what="second held")
    holds = await net.query(
        "directory",
        "SELECT state, service_id FROM capacity_holds WHERE referral_id = $1",
        first.referral_id,
    )
    assert [(h["state"], h["service_id"]) for h in holds] == [("consumed", service)]


async def test_a_decline_seen_before_its_submission_leaves_no_slot_held(
    directory_network: Network, client: httpx.AsyncClient
) -> None:
    """The same reordering with a decline: the late submission must not hold a slot for a
    referral the practice already declined (the fault campaign left two such holds)."""
    net = directory_network
    service = await d.list_practice(net, client, "declined-early-practice")  # 2 of 3 open
    first = d.submitted("declined-early-practice", service)
    early, late = d.envelope(d.declined(first)), d.envelope(first)
    await d.send(net, early, late)
    await eventually(
        lambda: net.query(
            "directory",
            "SELECT 1 FROM inbox WHERE consumer = 'directory.capacity' AND event_id = $1",
            late.event_id,
        ),
        what="the late submission applied",
    )
    assert await available(net, service) == 2  # the declined referral holds nothing
    holds = await net.query(
        "directory", "SELECT state FROM capacity_holds WHERE referral_id = $1", first.referral_id
    )
    assert [h["state"] for h in holds] == ["released"]
