"""The patient's confirmation reaches her through a real (local) SMTP server; FHIR views."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.support.infra import Infrastructure
from tests.support.smtp import Inbox, smtp_server
from tests.support.waiting import eventually
from tools.dev.seed import seed_region
from warmlink.auth import Role


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
