"""Network identity: client credentials, tokens every service accepts, rotation, suspension."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest

from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tests.support.waiting import eventually
from warmlink.auth import Role

ADMIN = "network-admin"


@pytest.fixture(scope="module")
def identity_network(infra: Infrastructure) -> Iterator[Network]:
    # The JWKS document (keys and suspended organizations) is fetched again after a second here,
    # not a minute: the suspension test waits for it.
    stack = start_network(infra, ["directory", "screening", "referral"], {"JWKS_MAX_AGE_S": "1"})
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def directory(identity_network: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=identity_network.url("directory")) as client:
        yield client


async def onboard(
    net: Network, client: httpx.AsyncClient, org: str, kind: str, **client_body: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": org.title(), "kind": kind}
    if kind == "practice":
        body["practice_type"] = "private_practice"
    admin = net.auth(ADMIN, Role.ADMIN)
    assert (
        await client.put(f"/v1/organizations/{org}", json=body, headers=admin)
    ).status_code == 200
    response = await client.post(
        f"/v1/organizations/{org}/clients", headers=admin, json=client_body or None
    )
    assert response.status_code == 201
    credentials: dict[str, Any] = response.json()
    return credentials


async def get_token(client: httpx.AsyncClient, creds: dict[str, Any]) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(creds["client_id"], creds["client_secret"]),
    )


async def screening_status(net: Network, token: str) -> int:
    async with httpx.AsyncClient(base_url=net.url("screening")) as client:
        response = await client.get(
            "/v1/screenings/01a205aa-1756-71f7-9fa6-c5037c7d6d19",
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.status_code  # 404 = authenticated, just no such screening


async def test_client_credentials_give_a_token_every_service_accepts(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    creds = await onboard(identity_network, directory, "oak-ob", "ob")
    response = await get_token(directory, creds)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and 0 < body["expires_in"] <= 600
    assert await screening_status(identity_network, body["access_token"]) == 404
    jwks = (await directory.get("/.well-known/jwks.json")).json()
    assert jwks["keys"] and all("d" not in k for k in jwks["keys"]), "never a private part"


async def test_wrong_secret_and_unknown_client_are_refused(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    creds = await onboard(identity_network, directory, "elm-ob", "ob")
    wrong = await get_token(directory, creds | {"client_secret": "not-it"})
    unknown = await get_token(directory, {"client_id": "nobody", "client_secret": "x"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["error"] == "invalid_client"
    grant = await directory.post("/oauth/token", data={"grant_type": "password"})
    assert grant.status_code == 422 and grant.json()["error"] == "unsupported_grant_type"


async def test_a_suspended_organization_gets_no_new_tokens(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    creds = await onboard(identity_network, directory, "birch-peds", "pediatric")
    admin = identity_network.auth(ADMIN, Role.ADMIN)
    suspended = await directory.post("/v1/organizations/birch-peds/suspend", headers=admin)
    assert suspended.json()["status"] == "suspended"
    refused = await get_token(directory, creds)
    assert refused.status_code == 401 and "suspended" in refused.json()["detail"]
    await directory.post("/v1/organizations/birch-peds/reactivate", headers=admin)
    assert (await get_token(directory, creds)).status_code == 200


async def test_a_token_issued_before_a_suspension_is_refused_at_another_service_after_it(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    """Suspension stopped only new tokens: one issued a minute before kept working everywhere
    until it expired."""
    creds = await onboard(identity_network, directory, "willow-ob", "ob")
    token = (await get_token(directory, creds)).json()["access_token"]
    assert await screening_status(identity_network, token) == 404  # accepted
    admin = identity_network.auth(ADMIN, Role.ADMIN)
    assert (await directory.post("/v1/organizations/willow-ob/suspend", headers=admin)).is_success

    async def at_screening() -> httpx.Response:
        async with httpx.AsyncClient(base_url=identity_network.url("screening")) as client:
            return await client.get(
                "/v1/screenings/01a205aa-1756-71f7-9fa6-c5037c7d6d19",
                headers={"Authorization": f"Bearer {token}"},
            )

    refused = await eventually(
        at_screening, until=lambda r: r.status_code == 401, what="the token refused"
    )
    assert "suspended" in refused.json()["detail"]
    assert (
        await directory.post("/v1/organizations/willow-ob/reactivate", headers=admin)
    ).is_success
    await eventually(
        at_screening, until=lambda r: r.status_code == 404, what="the token accepted again"
    )


async def test_rotation_keeps_old_tokens_valid_and_new_ones_verify_everywhere(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    creds = await onboard(identity_network, directory, "cedar-ob", "ob")
    before = (await get_token(directory, creds)).json()["access_token"]
    rotated = await directory.post(
        "/v1/signing-keys/rotate", headers=identity_network.auth(ADMIN, Role.ADMIN)
    )
    assert rotated.status_code == 201
    after = (await get_token(directory, creds)).json()["access_token"]
    assert before != after
    kids = {k["kid"] for k in (await directory.get("/.well-known/jwks.json")).json()["keys"]}
    assert rotated.json()["kid"] in kids and len(kids) >= 2
    statuses = await asyncio.gather(
        screening_status(identity_network, before), screening_status(identity_network, after)
    )
    assert statuses == [404, 404]
    own = await directory.get("/v1/organizations", headers={"Authorization": f"Bearer {after}"})
    assert own.status_code == 200


async def test_only_admins_onboard(identity_network: Network, directory: httpx.AsyncClient) -> None:
    body = {"name": "Sneaky", "kind": "practice", "practice_type": "private_practice"}
    for role in (Role.CLINIC, Role.PRACTICE):
        response = await directory.put(
            "/v1/organizations/sneaky", json=body, headers=identity_network.auth("oak-ob", role)
        )
        assert response.status_code == 403


async def test_the_networks_own_organization_cannot_be_suspended_or_demoted(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    """A fuzz run with an administrator's token suspended the network's own organization and
    made it a practice, which locked every administrator out."""
    admin = identity_network.auth(ADMIN, Role.ADMIN)
    own = {"name": "Perinatal Network", "kind": "network"}
    assert (await directory.put(f"/v1/organizations/{ADMIN}", json=own, headers=admin)).is_success
    suspended = await directory.post(f"/v1/organizations/{ADMIN}/suspend", headers=admin)
    demoted = await directory.put(
        f"/v1/organizations/{ADMIN}",
        json={"name": "Perinatal Network", "kind": "practice", "practice_type": "private_practice"},
        headers=admin,
    )
    for response, field in ((suspended, "#/status"), (demoted, "#/kind")):
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["pointer"] == field
        assert "network's own organization" in response.json()["detail"]
    members = (await directory.get("/v1/organizations", headers=admin)).json()
    assert [(m["kind"], m["status"]) for m in members if m["id"] == ADMIN] == [
        ("network", "active")
    ]
    # Renaming it is still an ordinary update.
    renamed = await directory.put(
        f"/v1/organizations/{ADMIN}", json=own | {"name": "Network Office"}, headers=admin
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Network Office"


PERSON_TYPE = "urn:warmlink:params:oauth:token-type:person"


async def exchange(
    client: httpx.AsyncClient, creds: dict[str, Any], person: str, org: str, role: str
) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "subject_token": f"person:{person}",
            "subject_token_type": PERSON_TYPE,
            "organization_id": org,
            "person_role": role,
        },
        auth=(creds["client_id"], creds["client_secret"]),
    )


async def test_only_the_network_may_have_a_client_that_acts_for_people(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    await onboard(identity_network, directory, "aspen-ob", "ob")
    refused = await directory.post(
        "/v1/organizations/aspen-ob/clients",
        json={"acts_for_people": True},
        headers=identity_network.auth(ADMIN, Role.ADMIN),
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["pointer"] == "#/acts_for_people"
    # An ordinary client, even the network's, cannot exchange for a person's token.
    plain = await onboard(identity_network, directory, "net-plain", "network")
    answer = await exchange(directory, plain, str(uuid.uuid4()), "aspen-ob", "ma")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


async def test_a_person_token_names_her_and_lands_in_the_referral_audit(
    identity_network: Network, directory: httpx.AsyncClient
) -> None:
    net = identity_network
    portal = await onboard(net, directory, "net-portal", "network", acts_for_people=True)
    await onboard(net, directory, "pine-ob", "ob")
    person = str(uuid.uuid4())
    wrong_role = await exchange(directory, portal, person, "pine-ob", "intake_coordinator")
    assert wrong_role.status_code == 422
    assert wrong_role.json()["errors"][0]["pointer"] == "#/person_role"
    not_a_person = await exchange(directory, portal, "x", "pine-ob", "ma")
    assert not_a_person.status_code == 422

    answer = await exchange(directory, portal, person, "pine-ob", "ma")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert 0 < body["expires_in"] <= 300
    token = body["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == f"person:{person}" and claims["org"] == "pine-ob"
    assert (claims["role"], claims["person_role"]) == ("clinic", "ma")
    assert claims["act"] == {"sub": portal["client_id"]}

    bearer = {"Authorization": f"Bearer {token}"}
    screen = {
        "instrument": "PHQ-9",
        "answers": [2, 2, 2, 2, 1, 1, 0, 0, 0],
        "patient_ref": "pt-person-1",
        "setting": "ob",
        "screened_at": datetime.now(UTC).isoformat(),
    }
    async with (
        httpx.AsyncClient(base_url=net.url("screening")) as screening,
        httpx.AsyncClient(base_url=net.url("referral")) as referral,
    ):
        made = await screening.post("/v1/screenings", json=screen, headers=bearer)
        assert made.status_code == 201, made.text
        sid = made.json()["id"]
        await eventually(
            lambda: referral.get(f"/v1/worklist/{sid}", headers=bearer),
            until=lambda r: r.status_code == 200,
            what="worklist",
        )
        closed = await referral.post(
            f"/v1/worklist/{sid}/close",
            json={"reason": "other", "note": "moved away"},
            headers=bearer,
        )
        assert closed.status_code == 200, closed.text
    rows = await net.query(
        "referral",
        "SELECT actor, organization_id, person_role, record_type FROM audit_log"
        " WHERE record_id = $1 AND action = 'write' ORDER BY id",
        sid,
    )
    by_her = (f"person:{person}", "pine-ob", "ma")
    assert [tuple(r.values()) for r in rows] == [
        (*by_her, "worklist_item"),
        (*by_her, "worklist_closure_note"),
    ]
