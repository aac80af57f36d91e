"""Closed-loop subscriptions end to end: a referral service process, a real PostgreSQL, and a
local webhook receiver that can be down, fail or answer.

Status changes are recorded with `on_status_change` straight against the service's database,
inside a transaction, as the referral handlers do.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.subscription import Subscription
from standardwebhooks import Webhook

from services.referral.subscriptions.domain.backport import PUBLIC_KEY_EXTENSION
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.payloads import ALLOWED_KEYS
from services.referral.subscriptions.service_layer.events import on_status_change
from tests.e2e.conftest import Network, start_network
from tests.support.fhir_backport import parameters_of, requested
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Received, Receiver, verifies_v1a
from tools.dev.processes import spawn, stop
from warmlink.auth import Role


@pytest.fixture(scope="module")
def network(infra: Infrastructure) -> Iterator[Network]:
    env = {
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_RETRY_INITIAL_S": "0.2",
        "WEBHOOK_HEARTBEAT_MIN_S": "1",  # the idle test's heartbeats come every second
    }
    stack = start_network(infra, ["referral"], extra_env=env)
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def strict(infra: Infrastructure) -> Iterator[Network]:
    """A second referral service with the production default: public https destinations only."""
    stack = start_network(infra, ["referral"])
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    try:
        yield running
    finally:
        running.stop()


def new_org(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def api(network: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=network.url("referral"), timeout=10) as client:
        yield client


async def subscribe(
    api: httpx.AsyncClient, network: Network, org: str, url: str, **body: Any
) -> dict[str, Any]:
    role = Role.PRACTICE if org.startswith("practice") else Role.CLINIC
    response = await api.post(
        "/v1/subscriptions", json={"url": url, **body}, headers=network.auth(org, role)
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def change(
    network: Network, site: str, practice: str, status: str, event_type: str, referral: uuid.UUID
) -> None:
    assert network.stack.infra is not None
    conn = await asyncpg.connect(network.stack.infra.database_url_for["referral"])
    try:
        async with conn.transaction():
            await on_status_change(
                conn,
                referral_id=referral,
                site_id=site,
                practice_id=practice,
                status=status,
                event_type=event_type,
                occurred_at=datetime.now(UTC),
            )
    finally:
        await conn.close()


LIFECYCLE = [
    ("submitted", "ReferralSubmitted"),
    ("acknowledged", "IntakeAcknowledged"),
    ("scheduled", "AppointmentScheduled"),
    ("attended", "AppointmentAttended"),
]


async def walk(network: Network, site: str, practice: str, steps: int) -> uuid.UUID:
    referral = uuid.uuid4()
    for status, event_type in LIFECYCLE[:steps]:
        await change(network, site, practice, status, event_type, referral)
    return referral


async def accepted(receiver: Receiver, path: str, numbers: list[int]) -> list[int]:
    async def probe() -> list[int]:
        return receiver.accepted(path)

    return await eventually(probe, until=lambda got: got == numbers, what=f"{path} {numbers}")


async def get(api: httpx.AsyncClient, network: Network, org: str, path: str) -> Any:
    response = await api.get(path, headers=network.auth(org))
    assert response.status_code == 200, response.text
    return response.json()


async def test_handshake_then_changes_in_order_signed_filtered_and_minimal(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site, practice, bystander = new_org("site"), new_org("practice"), new_org("site")
    mine = await subscribe(api, network, site, receiver.url("/site"))
    theirs = await subscribe(
        api, network, practice, receiver.url("/practice"), filters={"statuses": ["scheduled"]}
    )
    await subscribe(api, network, bystander, receiver.url("/bystander"))
    assert mine["secret"].startswith("whsec_") and mine["status"] == "active"
    assert mine["filters"] == {"statuses": None, "event_types": None}
    referral = await walk(network, site, practice, 3)

    await accepted(receiver, "/site", [0, 1, 2, 3])
    await accepted(receiver, "/practice", [0, 1])  # its own numbering: only what matched
    await accepted(receiver, "/bystander", [0])
    deliveries = receiver.received("/site")
    bodies = [Webhook(mine["secret"]).verify(r.body, r.headers) for r in deliveries]
    assert [b["type"] for b in bodies] == ["subscription.handshake"] + 3 * [
        "referral.status_changed"
    ]
    assert [b.get("status") for b in bodies[1:]] == ["submitted", "acknowledged", "scheduled"]
    assert all(b["referral_id"] == str(referral) for b in bodies[1:])
    assert all(set(b) <= ALLOWED_KEYS for b in bodies)
    assert len({r.headers["webhook-id"] for r in deliveries}) == 4
    practice_body = Webhook(theirs["secret"]).verify(
        receiver.received("/practice")[1].body, receiver.received("/practice")[1].headers
    )
    assert (practice_body["status"], practice_body["event_number"]) == ("scheduled", 1)


async def test_down_then_500_then_up_misses_nothing_and_keeps_order(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/flaky"))
    await accepted(receiver, "/flaky", [0])
    log_path = f"/v1/subscriptions/{sub['id']}/deliveries"

    receiver.stop()
    await walk(network, site, new_org("practice"), 3)
    await eventually(
        lambda: get(api, network, site, log_path),
        until=lambda log: sum(d["error"] is not None for d in log["deliveries"]) >= 2,
        what="failed attempts while down",
    )
    receiver.answer("/flaky", 500)
    receiver.start()
    await walk(network, site, new_org("practice"), 1)  # event 4, recorded during the outage
    await eventually(
        lambda: get(api, network, site, log_path),
        until=lambda log: any(d["http_status"] == 500 for d in log["deliveries"]),
        what="a 500 answer",
    )
    receiver.answer("/flaky", 200)

    await accepted(receiver, "/flaky", [0, 1, 2, 3, 4])
    seen = [r.number for r in receiver.received("/flaky")]
    assert seen == sorted(seen)  # N+1 never before N succeeded
    assert {r.number for r in receiver.received("/flaky") if r.answered == 500} == {1}

    # The worker records a run's outcomes once the subscriber has answered all of it: the
    # receiver can hold 4 a moment before the database says delivered.
    replay = await eventually(
        lambda: get(api, network, site, f"/v1/subscriptions/{sub['id']}/events?since=2"),
        until=lambda r: all(e["status"] == "delivered" for e in r["events"]),
        what="events 3 and 4 recorded as delivered",
    )
    assert [e["event_number"] for e in replay["events"]] == [3, 4]
    assert replay["last_event_number"] == 4
    log = (await get(api, network, site, log_path))["deliveries"]
    first = [d for d in log if d["event_number"] == 1]
    assert [d["attempt"] for d in first] == sorted((d["attempt"] for d in first), reverse=True)
    assert first[0]["http_status"] == 200 and all(d["duration_ms"] >= 0 for d in log)
    assert any(d["error"] == "ConnectError" for d in first)


async def test_retry_after_is_honoured(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.answer("/busy", 503, {"Retry-After": "1"})
    await subscribe(api, network, new_org("site"), receiver.url("/busy"))

    async def probe() -> list[Received]:
        return receiver.received("/busy")

    calls = await eventually(probe, until=lambda got: len(got) >= 2, what="a retry")
    assert calls[1].at - calls[0].at >= 0.9  # not the 0.2 s backoff


async def test_manual_redelivery_sends_the_event_again(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/again"))
    await walk(network, site, new_org("practice"), 1)
    await accepted(receiver, "/again", [0, 1])

    path = f"/v1/subscriptions/{sub['id']}/events/1/redeliver"
    response = await api.post(path, headers=network.auth(site))
    assert response.status_code == 202 and response.json()["status"] == "pending"
    await accepted(receiver, "/again", [0, 1, 1])
    first, again = receiver.received("/again")[1:]
    assert first.headers["webhook-id"] == again.headers["webhook-id"]  # same id: deduplicable
    missing = await api.post(path.replace("/1/", "/99/"), headers=network.auth(site))
    assert missing.status_code == 404


async def test_410_gone_disables_the_subscription(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    receiver.answer("/gone", 410)
    sub = await subscribe(api, network, site, receiver.url("/gone"))
    disabled = await eventually(
        lambda: get(api, network, site, f"/v1/subscriptions/{sub['id']}"),
        until=lambda s: s["status"] == "error",
        what="subscription disabled",
    )
    assert "410" in disabled["status_reason"]
    await walk(network, site, new_org("practice"), 2)
    events = await get(api, network, site, f"/v1/subscriptions/{sub['id']}/events")
    assert [e["event_number"] for e in events["events"]] == [0]
    assert len(receiver.received("/gone")) == 1
    redeliver = f"/v1/subscriptions/{sub['id']}/events/0/redeliver"
    assert (await api.post(redeliver, headers=network.auth(site))).status_code == 409


async def test_another_organizations_subscription_is_not_found(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    owner, other = new_org("site"), new_org("site")
    sub = await subscribe(api, network, owner, receiver.url("/private"))
    base = f"/v1/subscriptions/{sub['id']}"
    for method, path in [
        ("GET", base),
        ("GET", base + "/events"),
        ("GET", base + "/deliveries"),
        ("GET", base + "/stream"),
        ("POST", base + "/rotate-secret"),
        ("POST", base + "/events/0/redeliver"),
        ("DELETE", base),
    ]:
        response = await api.request(method, path, headers=network.auth(other))
        assert response.status_code == 404, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await get(api, network, other, "/v1/subscriptions"))["items"] == []
    assert (await api.get(base)).status_code == 401
    mine = await get(api, network, owner, "/v1/subscriptions")
    assert [s["id"] for s in mine["items"]] == [sub["id"]] and "secret" not in mine["items"][0]

    assert (await api.delete(base, headers=network.auth(owner))).status_code == 204
    assert (await get(api, network, owner, base))["status"] == "off"


async def test_invalid_subscriptions_are_422_with_pointers(
    network: Network, api: httpx.AsyncClient
) -> None:
    site = new_org("site")
    for body, pointer in [
        ({"url": "ftp://127.0.0.1/x"}, "#/url"),
        ({"url": "http://127.0.0.1/x", "filters": {"event_types": ["Nope"]}}, "#/filters"),
        ({"url": "http://127.0.0.1/x", "heartbeat_s": 0}, "#/heartbeat_s"),
    ]:
        response = await api.post("/v1/subscriptions", json=body, headers=network.auth(site))
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["pointer"].startswith(pointer)


async def test_private_destinations_are_refused_without_allow_private(strict: Network) -> None:
    async with httpx.AsyncClient(base_url=strict.url("referral")) as client:
        for url in [
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://10.0.0.8/hook",
            "https://192.168.1.20/hook",
            "https://169.254.169.254/latest",
            "https://[::1]/hook",
            "http://93.184.215.14/hook",  # public, but not https
        ]:
            response = await client.post(
                "/v1/subscriptions", json={"url": url}, headers=strict.auth("riverside-ob")
            )
            assert response.status_code == 422, url
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["pointer"] == "#/url"
        listed = await client.get("/v1/subscriptions", headers=strict.auth("riverside-ob"))
        assert listed.json()["items"] == []


async def test_a_refusal_the_setting_lifts_names_it(strict: Network) -> None:
    """Under `make run` a newcomer's local receiver is refused: the 422 says how to allow it."""
    async with httpx.AsyncClient(base_url=strict.url("referral")) as client:
        for url, named in [
            ("http://127.0.0.1:8080/hook", True),  # not https
            ("https://127.0.0.1/hook", True),  # loopback
            ("ftp://127.0.0.1/hook", False),  # no setting allows it
        ]:
            response = await client.post(
                "/v1/subscriptions", json={"url": url}, headers=strict.auth("riverside-ob")
            )
            assert response.status_code == 422, url
            problem = response.json()
            assert ("REFERRAL_WEBHOOK_ALLOW_PRIVATE=true" in problem["detail"]) is named, url
            assert problem["errors"][0] == {"pointer": "#/url", "detail": problem["detail"]}


async def test_a_heartbeat_more_often_than_the_minimum_is_422_at_its_field(
    strict: Network,
) -> None:
    """A 1-second heartbeat to any URL made the service a pinger; the default minimum is 60 s
    (`WEBHOOK_HEARTBEAT_MIN_S`), refused before the destination is even resolved."""
    async with httpx.AsyncClient(base_url=strict.url("referral")) as client:
        response = await client.post(
            "/v1/subscriptions",
            json={"url": "https://127.0.0.1/hook", "heartbeat_s": 30},
            headers=strict.auth("riverside-ob"),
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["pointer"] == "#/heartbeat_s"
    assert problem["minimum_s"] == 60


async def test_an_organization_past_its_subscription_cap_is_409_until_it_frees_one(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    cap = WebhookConfig().subscriptions_per_organization
    created = [await subscribe(api, network, site, receiver.url(f"/cap/{n}")) for n in range(cap)]
    refused = await api.post(
        "/v1/subscriptions", json={"url": receiver.url("/cap/over")}, headers=network.auth(site)
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["limit"] == cap
    another = await subscribe(api, network, new_org("site"), receiver.url("/cap/other"))
    assert another["status"] == "active", "the cap is per organization"
    gone = await api.delete(f"/v1/subscriptions/{created[0]['id']}", headers=network.auth(site))
    assert gone.status_code == 204
    assert (await subscribe(api, network, site, receiver.url("/cap/again")))["status"] == "active"


async def test_empty_filter_lists_filter_nothing(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    """The README's template sends empty filters: the same as none."""
    site, practice = new_org("site"), new_org("practice")
    sub = await subscribe(
        api,
        network,
        site,
        receiver.url("/empty-filters"),
        filters={"statuses": [], "event_types": []},
    )
    assert sub["filters"] == {"statuses": None, "event_types": None}
    await walk(network, site, practice, 2)
    await accepted(receiver, "/empty-filters", [0, 1, 2])


async def read_stream(
    network: Network,
    org: str,
    subscription_id: str,
    count: int,
    headers: dict[str, str],
    found: list[tuple[str, str, dict[str, Any]]] | None = None,
) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, event, data) of the first `count` events of the SSE stream, appended to `found` as
    they arrive (so a caller can watch progress)."""
    found = [] if found is None else found
    fields: dict[str, str] = {}
    url = f"{network.url('referral')}/v1/subscriptions/{subscription_id}/stream"
    async with (
        asyncio.timeout(15),
        httpx.AsyncClient(timeout=None) as client,
        client.stream("GET", url, headers=network.auth(org) | headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith(":"):
                continue  # keep-alive comment
            if line:
                name, _, value = line.partition(": ")
                fields[name] = value
                continue
            if "data" in fields:
                found.append((fields["id"], fields["event"], orjson.loads(fields["data"])))
            fields = {}
            if len(found) == count:
                return found
    return found


async def test_sse_stream_yields_events_with_ids_and_resumes(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/sse"))
    await walk(network, site, new_org("practice"), 2)
    reader = asyncio.create_task(read_stream(network, site, sub["id"], 4, {}))
    await accepted(receiver, "/sse", [0, 1, 2])
    await walk(network, site, new_org("practice"), 1)  # arrives while the stream is open
    events = await reader
    assert [e[0] for e in events] == ["0", "1", "2", "3"]
    assert [e[1] for e in events] == ["subscription.handshake"] + 3 * ["referral.status_changed"]
    assert [e[2]["event_number"] for e in events] == [0, 1, 2, 3]
    resumed = await read_stream(network, site, sub["id"], 1, {"Last-Event-ID": "2"})
    assert resumed[0][0] == "3"


async def test_rotated_secret_signs_with_both_secrets(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/rotate"))
    await accepted(receiver, "/rotate", [0])
    response = await api.post(
        f"/v1/subscriptions/{sub['id']}/rotate-secret", headers=network.auth(site)
    )
    rotated = response.json()
    assert response.status_code == 200 and rotated["secret"] != sub["secret"]
    await walk(network, site, new_org("practice"), 1)
    await accepted(receiver, "/rotate", [0, 1])
    delivery = receiver.received("/rotate")[1]
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    for secret in (sub["secret"], rotated["secret"]):
        Webhook(secret).verify(delivery.body, delivery.headers)
    # At rest both secrets are sealed: nothing in the row reads as either of them.
    [row] = await network.query(
        "referral", "SELECT * FROM subscriptions WHERE id = $1", uuid.UUID(sub["id"])
    )
    assert row["secret"] is None and row["previous_secret"] is None
    assert row["secret_sealed"] and row["previous_secret_sealed"]
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    for secret in (sub["secret"], rotated["secret"]):
        assert secret.encode() not in stored
        assert secret.removeprefix("whsec_").encode() not in stored


async def test_v1a_deliveries_verify_with_the_public_key_and_rotate_with_overlap(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/v1a"), signature="v1a")
    assert sub["signature"] == "v1a" and sub["secret"] is None
    assert sub["public_key"].startswith("whpk_")
    await accepted(receiver, "/v1a", [0])
    handshake = receiver.received("/v1a")[0]
    assert handshake.headers["webhook-signature"].startswith("v1a,")
    assert verifies_v1a(sub["public_key"], handshake)
    forged = Received(handshake.path, handshake.headers, handshake.body + " ", 200, 0.0)
    assert not verifies_v1a(sub["public_key"], forged)

    response = await api.post(
        f"/v1/subscriptions/{sub['id']}/rotate-secret", headers=network.auth(site)
    )
    rotated = response.json()
    assert response.status_code == 200 and rotated["secret"] is None
    assert rotated["public_key"].startswith("whpk_") and rotated["public_key"] != sub["public_key"]
    assert (await get(api, network, site, f"/v1/subscriptions/{sub['id']}"))[
        "public_key"
    ] == rotated["public_key"]
    await walk(network, site, new_org("practice"), 1)
    await accepted(receiver, "/v1a", [0, 1])
    delivery = receiver.received("/v1a")[1]
    assert [s[:4] for s in delivery.headers["webhook-signature"].split(" ")] == ["v1a,"] * 2
    assert verifies_v1a(sub["public_key"], delivery) and verifies_v1a(
        rotated["public_key"], delivery
    )
    [row] = await network.query(
        "referral",
        "SELECT secret, secret_sealed FROM subscriptions WHERE id = $1",
        uuid.UUID(sub["id"]),
    )
    assert row["secret"] is None and b"whsk_" not in row["secret_sealed"]


async def test_idle_subscription_gets_numbered_heartbeats(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    await subscribe(api, network, site, receiver.url("/idle"), heartbeat_s=1)

    async def probe() -> list[Received]:
        return receiver.received("/idle")

    await eventually(probe, until=lambda got: len(got) >= 2, what="a heartbeat")
    await walk(network, site, new_org("practice"), 1)
    await eventually(
        probe,
        until=lambda got: any("status_changed" in r.body for r in got),
        what="the status change after heartbeats",
    )
    bodies = [orjson.loads(r.body) for r in receiver.received("/idle")]
    assert bodies[1]["type"] == "subscription.heartbeat"
    assert [b["event_number"] for b in bodies] == list(range(len(bodies)))  # no gaps


async def submitted_for(
    conn: asyncpg.Connection, site: str, referral: uuid.UUID | None = None
) -> None:
    """A new referral of `site` submitted, recorded in `conn`'s open transaction."""
    await on_status_change(
        conn,
        referral_id=referral or uuid.uuid4(),
        site_id=site,
        practice_id="practice-x",
        status="submitted",
        event_type="ReferralSubmitted",
        occurred_at=datetime.now(UTC),
    )


async def test_concurrent_changes_get_gap_free_numbers(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/busy-site"))
    assert network.stack.infra is not None
    url = network.stack.infra.database_url_for["referral"]

    async def one(n: int) -> None:
        conn = await asyncpg.connect(url)
        try:
            tx = conn.transaction()
            await tx.start()
            await submitted_for(conn, site)
            await (tx.rollback() if n % 4 == 0 else tx.commit())  # a rollback frees its number
        finally:
            await conn.close()

    await asyncio.gather(*(one(n) for n in range(1, 13)))
    await accepted(receiver, "/busy-site", list(range(10)))
    events = await get(api, network, site, f"/v1/subscriptions/{sub['id']}/events")
    assert [e["event_number"] for e in events["events"]] == list(range(10))
    conn = await asyncpg.connect(url)
    try:
        with pytest.raises(RuntimeError, match="transaction"):
            await submitted_for(conn, site)
    finally:
        await conn.close()


async def test_an_open_status_change_blocks_neither_deliveries_nor_other_changes(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    """A status change queues its notification without locking the subscriber's row (numbering
    under that lock held it through each commit, and a subscribed site's changes committed one
    at a time). While one is open, the delivery worker's inserts go through, and so does a second
    change of the same subscriber; numbers follow commit order, so the second, committed first,
    is number 1."""
    site = new_org("site")
    sub = await subscribe(api, network, site, receiver.url("/locked-site"))
    await accepted(receiver, "/locked-site", [0])
    assert network.stack.infra is not None
    url = network.stack.infra.database_url_for["referral"]
    first, second = uuid.uuid4(), uuid.uuid4()
    holder, other = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        tx = holder.transaction()
        await tx.start()
        await submitted_for(holder, site, first)
        async with other.transaction():
            await other.execute("SET LOCAL lock_timeout = '200ms'")
            notification = await other.fetchval(
                "SELECT id FROM subscription_notifications WHERE subscription_id = $1"
                " AND event_number = 0",
                uuid.UUID(sub["id"]),
            )
            await other.execute(
                "INSERT INTO subscription_deliveries (notification_id, subscription_id,"
                " event_number, attempt, http_status, duration_ms) VALUES ($1, $2, 0, 9, 204, 1)",
                notification,
                uuid.UUID(sub["id"]),
            )
            await submitted_for(other, site, second)  # would raise LockNotAvailableError
        await accepted(receiver, "/locked-site", [0, 1])
        await tx.commit()
    finally:
        await holder.close()
        await other.close()
    await accepted(receiver, "/locked-site", [0, 1, 2])
    bodies = [orjson.loads(r.body) for r in receiver.received("/locked-site")]
    by_number = {b["event_number"]: b.get("referral_id") for b in bodies}
    assert (by_number[1], by_number[2]) == (str(second), str(first))


@pytest.fixture(scope="module")
def separate(infra: Infrastructure) -> Iterator[Network]:
    """WEBHOOK_DELIVERY=separate: the HTTP process only listens (for its SSE streams) and
    `python -m services.referral.subscriptions.entrypoints.delivery_process` delivers."""
    # Streams look for missed wake-ups only every 10 minutes here: an event that reaches an open
    # stream within the reader's 15 s was woken by NOTIFY, not found by that poll.
    env = {
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_DELIVERY": "separate",
        "WEBHOOK_STREAM_POLL_S": "600",
    }
    stack = start_network(infra, ["referral"], extra_env=env)
    webhooks = spawn(
        [sys.executable, "-m", "services.referral.subscriptions.entrypoints.delivery_process"],
        log_path=stack.logs / "referral-webhooks.log",
        env=stack.service_env("referral"),
    )
    try:
        yield Network(stack)
    finally:
        stop(webhooks)
        stack.stop()


async def test_a_separate_delivery_process_delivers_in_order_and_streams_still_wake(
    separate: Network, receiver: Receiver
) -> None:
    site = new_org("site")
    async with httpx.AsyncClient(base_url=separate.url("referral"), timeout=10) as client:
        sub = await subscribe(client, separate, site, receiver.url("/separate"))
    await walk(separate, site, new_org("practice"), 2)
    await accepted(receiver, "/separate", [0, 1, 2])
    streamed: list[tuple[str, str, dict[str, Any]]] = []
    reader = asyncio.create_task(read_stream(separate, site, sub["id"], 4, {}, streamed))

    async def streamed_so_far() -> int:
        return len(streamed)

    # The stream is open and has sent what it had: the next event can only come from a wake-up.
    await eventually(streamed_so_far, until=lambda n: n == 3, what="the stream's first events")
    await walk(separate, site, new_org("practice"), 1)  # NOTIFY wakes the HTTP process's stream
    events = await reader  # within its 15 s, so woken: the fallback poll is 10 minutes away
    assert [e[0] for e in events] == ["0", "1", "2", "3"]
    await accepted(receiver, "/separate", [0, 1, 2, 3])


async def test_fhir_backport_handshake_event_heartbeat_status_and_delete(
    network: Network, api: httpx.AsyncClient, receiver: Receiver
) -> None:
    """The Backport flow through the real delivery worker: a filter to the caller as requester,
    heartbeats driven by moving the subscription's last event back (not by waiting)."""
    site, practice = new_org("site"), new_org("practice")
    resource = requested(receiver.url("/fhir"))
    resource["_criteria"]["extension"][0]["valueString"] = (
        f"Task?requester:identifier=urn:warmlink:organization|{site}"
    )
    created = await api.post("/fhir/Subscription", json=resource, headers=network.auth(site))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/fhir+json")
    subscription = Subscription.model_validate(created.json())
    assert subscription.status == "active" and created.headers["location"].endswith(
        f"/fhir/Subscription/{subscription.id}"
    )
    [public_key] = [
        e.valueString for e in subscription.extension or [] if e.url == PUBLIC_KEY_EXTENSION
    ]

    async def bundles(count: int) -> list[dict[str, Any]]:
        got = await eventually(
            lambda: asyncio.sleep(0, receiver.received("/fhir")),
            until=lambda got: len(got) >= count,
            what=f"{count} backport notifications",
        )
        assert all(verifies_v1a(str(public_key), r) for r in got)
        assert all(r.headers["content-type"] == "application/fhir+json" for r in got)
        return [orjson.loads(r.body) for r in got]

    handshake = parameters_of((await bundles(1))[0])
    assert handshake["type"]["valueCode"] == "handshake"
    assert handshake["events-since-subscription-start"]["valueString"] == "0"

    # As the practice of another site's referral the subscriber is not the requester: filtered.
    await walk(network, new_org("site"), site, 1)
    referral = await walk(network, site, practice, 1)
    event = (await bundles(2))[1]
    named = parameters_of(event)
    parts = {p["name"]: p for p in named["notification-event"]["part"]}
    assert named["type"]["valueCode"] == "event-notification"
    assert named["events-since-subscription-start"]["valueString"] == "1"
    assert parts["event-number"]["valueString"] == "1"
    assert parts["focus"]["valueReference"]["reference"].endswith(f"/fhir/Task/{referral}")

    await network.query(
        "referral",
        "UPDATE subscriptions SET last_event_at = now() - interval '1 hour' WHERE id = $1"
        " RETURNING id",
        uuid.UUID(str(subscription.id)),
    )
    beat = parameters_of((await bundles(3))[2])
    assert beat["type"]["valueCode"] == "heartbeat"
    assert beat["events-since-subscription-start"]["valueString"] == "1"  # heartbeats not counted
    assert len(receiver.received("/fhir")) == 3  # the filtered change was never sent
    await walk(network, site, practice, 1)  # Warmlink's number 3, the backport's second event
    after_beat = parameters_of((await bundles(4))[3])
    assert after_beat["events-since-subscription-start"]["valueString"] == "2"

    path = f"/fhir/Subscription/{subscription.id}"
    status = parameters_of((await api.get(path + "/$status", headers=network.auth(site))).json())
    assert (status["type"]["valueCode"], status["status"]["valueCode"]) == (
        "query-status",
        "active",
    )
    assert status["events-since-subscription-start"]["valueString"] == "2"
    as_json = await get(api, network, site, f"/v1/subscriptions/{subscription.id}")
    assert (as_json["shape"], as_json["signature"], as_json["types"]) == (
        "fhir-backport",
        "v1a",
        ["referral.status_changed"],
    )
    assert (await api.delete(path, headers=network.auth(site))).status_code == 204
    read = await api.get(path, headers=network.auth(site))
    assert Subscription.model_validate(read.json()).status == "off"


async def test_fhir_backport_refusals_are_operation_outcomes(
    network: Network, api: httpx.AsyncClient
) -> None:
    site = new_org("site")
    full = requested()
    full["channel"]["_payload"]["extension"][0]["valueCode"] = "full-resource"
    refused = await api.post("/fhir/Subscription", json=full, headers=network.auth(site))
    assert refused.status_code == 422
    outcome = OperationOutcome.model_validate(refused.json())
    assert outcome.issue[0].code == "not-supported"
    assert outcome.issue[0].expression == ["Subscription.channel.payload"]
    # A subscription of the JSON shape, or another organization's, is no FHIR Subscription here.
    plain = await subscribe(api, network, site, "http://127.0.0.1:9/none")
    assert plain["shape"] == "warmlink"
    for org in (site, new_org("site")):
        missing = await api.get(f"/fhir/Subscription/{plain['id']}", headers=network.auth(org))
        assert missing.status_code == 404
        assert OperationOutcome.model_validate(missing.json()).issue[0].code == "not-found"
