"""How to reach the practice travels with every answer about a referral (issue 16): the intake
transitions' responses named the practice's `intake_phone` and `intake_url` as null, while the
submission's answer and `GET /v1/referrals/{id}` showed them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, body
from tests.support.infra import Infrastructure
from tools.dev.seed import seed_region
from warmlink.auth import Role


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory", "referral"])
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
async def referral(net: Network) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=net.url("referral")) as client:
        yield client


async def test_every_intake_answer_names_how_to_reach_the_practice(
    net: Network, referral: httpx.AsyncClient
) -> None:
    headers = net.auth(SITE) | {"Idempotency-Key": str(uuid.uuid4())}
    made = await referral.post(
        "/v1/referrals", json=body(patient_ref="pt-contact-1", urgency="urgent"), headers=headers
    )
    assert made.status_code == 201, made.text
    rid, submitted = made.json()["id"], made.json()["practice"]
    assert submitted["intake_phone"] or submitted["intake_url"], "the seeded practice has one"
    practice = net.auth(PRACTICE, Role.PRACTICE)

    def contact(answer: httpx.Response) -> tuple[str | None, str | None]:
        assert answer.status_code == 200, answer.text
        shown = answer.json()["practice"]
        return shown["intake_phone"], shown["intake_url"]

    expected = (submitted["intake_phone"], submitted["intake_url"])
    assert contact(await referral.get(f"/v1/referrals/{rid}", headers=practice)) == expected
    steps = [
        ("acknowledge", None),
        ("contact-attempts", {"channel": "phone", "outcome": "reached"}),
        (
            "schedule",
            {
                "appointment_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
                "modality": "telehealth",
                "telehealth_instructions": "link sent by text",
            },
        ),
        ("cancel-appointment", {"cancelled_by": "patient", "reason": "rescheduled"}),
        ("decline", {"reason": "no_capacity"}),
    ]
    for step, payload in steps:
        answer = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert contact(answer) == expected, step
