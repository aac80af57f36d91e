"""The patient's confirmation reaches her through a real (local) SMTP server; FHIR views: the
Task and ServiceRequest, the Task search, the CapabilityStatement and OperationOutcome refusals
(these reuse this module's network, to add no stack of their own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role
from warmlink.roles import PersonRole


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def net(infra: Infrastructure, smtp: tuple[Inbox, int]) -> Iterator[Network]:
    env = {"NOTIFY_CHANNEL": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp[1])}
    stack = start_network(infra, ["directory", "referral"], env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


async def test_the_patient_gets_an_email_naming_the_practice_and_988(
    net: Network, smtp: tuple[Inbox, int]
) -> None:
    inbox = smtp[0]
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        created = await client.post(
            "/v1/referrals",
            json=body(urgency="urgent"),
            headers=net.auth(SITE) | {"Idempotency-Key": "confirm-1"},
        )
    assert created.status_code == 201, created.text

    async def received() -> int:
        return len(inbox.messages)

    await eventually(received, until=lambda n: n == 1, what="the confirmation email")
    recipients, message = inbox.messages[0]
    assert recipients == ["marisol.qb@example.org"]
    text = message.get_payload(decode=True).decode()
    assert "Bloom Perinatal Therapy" in text and "988" in text
    rows = await net.query("referral", "SELECT kind, status FROM patient_notifications")
    # The confirmation is sent; "has the practice reached you?" waits for its two business days.
    assert sorted((r["kind"], r["status"]) for r in rows) == [
        ("check", "pending"),
        ("confirmation", "sent"),
    ]


async def test_fhir_task_and_service_request_validate_and_carry_the_bser_status(
    net: Network,
) -> None:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        rid = (
            await client.post(
                "/v1/referrals", json=body(), headers=net.auth(SITE) | {"Idempotency-Key": "fhir-1"}
            )
        ).json()["id"]
        await client.post(
            f"/v1/intake/{rid}/acknowledge", headers=net.auth(PRACTICE, Role.PRACTICE)
        )
        task = await client.get(f"/fhir/Task/{rid}", headers=net.auth(SITE))
        request = await client.get(
            f"/fhir/ServiceRequest/{rid}", headers=net.auth(PRACTICE, Role.PRACTICE)
        )
        foreign = await client.get(f"/fhir/Task/{rid}", headers=net.auth("maple-pediatrics"))
    assert task.headers["content-type"] == "application/fhir+json"
    parsed = Task.model_validate(task.json())
    assert parsed.status == "accepted"
    assert parsed.businessStatus.coding[0].code == "3.0"
    ServiceRequest.model_validate(request.json())
    assert foreign.status_code == 404
    assert "Marisol" not in task.text and "Marisol" not in request.text


def bundle_ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    found = response.json()
    Bundle.model_validate(found)
    assert found["type"] == "searchset"
    return [e["resource"]["id"] for e in found.get("entry", [])]


def outcome_code(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/fhir+json"
    OperationOutcome.model_validate(response.json())
    code: str = response.json()["issue"][0]["code"]
    return code


async def test_task_search_filters_pages_and_stays_within_the_callers_organization(
    net: Network,
) -> None:
    practice = net.auth(PRACTICE, Role.PRACTICE)
    person_id = str(uuid.uuid4())
    ma = "Bearer " + net.token(SITE, Role.CLINIC, person=(person_id, PersonRole.MA, "portal"))
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        made: list[str] = []
        for n in range(3):
            created = await client.post(
                "/v1/referrals",
                json=body(patient_ref=f"pt-fhir-search-{n}"),
                headers={"Authorization": ma, "Idempotency-Key": f"fhir-search-{n}"},
            )
            assert created.status_code == 201, created.text
            made.append(created.json()["id"])
        declined = await client.post(
            f"/v1/intake/{made[0]}/decline", json={"reason": "no_capacity"}, headers=practice
        )
        assert declined.status_code == 200, declined.text
        since = (await client.get(f"/fhir/Task/{made[0]}", headers=net.auth(SITE))).json()[
            "lastModified"
        ]

        async def search(query: str, headers: dict[str, str]) -> httpx.Response:
            return await client.get(f"/fhir/Task?{query}", headers=headers)

        ours = f"_id={','.join(made)}"
        site = net.auth(SITE)
        everything = bundle_ids(await search(ours, site))
        rejected = bundle_ids(await search(f"{ours}&status=rejected", site))
        requested = bundle_ids(await search(f"{ours}&status=requested&owner={PRACTICE}", site))
        by_requester = await search(f"{ours}&requester=Organization/{SITE}", practice)
        changed = bundle_ids(
            await search(f"{ours}&_lastUpdated=ge{since.replace('+', '%2B')}", site)
        )
        foreign = await search(ours, net.auth("maple-pediatrics"))
        first = await search(f"{ours}&_count=2", site)
        second = await client.get(
            next(link["url"] for link in first.json()["link"] if link["relation"] == "next"),
            headers=site,
        )
        declined_task = (await search(f"_id={made[0]}", site)).json()["entry"][0]["resource"]

    assert sorted(everything) == sorted(made)
    assert rejected == [made[0]]
    assert sorted(requested) == sorted(made[1:])
    assert sorted(bundle_ids(by_requester)) == sorted(made)
    assert made[0] in changed  # its decline is its last change
    assert bundle_ids(foreign) == [] and foreign.json()["total"] == 0  # another org sees none
    assert first.json()["total"] == 3 and len(bundle_ids(first)) == 2
    assert sorted(bundle_ids(first) + bundle_ids(second)) == sorted(made)  # the pages meet
    # BSeR: the decline's coded reason, and the person who referred as a PractitionerRole.
    Task.model_validate(declined_task)
    assert declined_task["statusReason"]["coding"][0]["code"] == "no_capacity"
    [role] = declined_task["contained"]
    assert role["practitioner"]["identifier"]["value"] == person_id
    assert role["code"][0]["coding"][0]["code"] == "ma"
    assert role["organization"]["identifier"]["value"] == SITE


async def test_metadata_is_public_and_fhir_refusals_are_operation_outcomes(net: Network) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        metadata = await client.get("/fhir/metadata")
        unauthenticated = await client.get("/fhir/Task")
        not_found = await client.get(f"/fhir/Task/{missing}", headers=net.auth(SITE))
        unsupported = await client.get("/fhir/Task?subject=Patient/1", headers=net.auth(SITE))
        elsewhere = await client.get(f"/v1/referrals/{missing}", headers=net.auth(SITE))
    assert metadata.status_code == 200
    statement: dict[str, Any] = metadata.json()
    CapabilityStatement.model_validate(statement)
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert served >= {"Task", "ServiceRequest", "Subscription"}
    assert outcome_code(unauthenticated, 401) == "login"
    assert outcome_code(not_found, 404) == "not-found"
    assert outcome_code(unsupported, 400) == "invalid"
    assert unsupported.json()["issue"][0]["expression"] == ["subject"]
    assert elsewhere.headers["content-type"] == "application/problem+json"
