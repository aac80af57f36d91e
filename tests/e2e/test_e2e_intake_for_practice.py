"""The referral as the receiving practice's intake needs it (issue 16), through the public API:
how to reach the practice travels with every answer (the intake transitions' responses named the
practice's `intake_phone` and `intake_url` as null, while the submission's answer and
`GET /v1/referrals/{id}` showed them); the screen, her coverage and weeks pregnant or postpartum
on the practice's view, their reads audited; the clinician booked, and the inbox filtered by
that clinician."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.e2e.conftest import Network, start_network
from tests.e2e.test_e2e_referral_lifecycle import (
    PATIENT,
    PRACTICE,
    SITE,
    body,
    positive_screen_on_worklist,
)
from tests.support.infra import Infrastructure
from tools.dev.seed import seed_region
from warmlink.auth import Role


@pytest.fixture(scope="module")
def net(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory", "screening", "referral"])
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


async def test_the_practice_reads_the_screen_coverage_and_period_and_books_a_clinician(
    net: Network, referral: httpx.AsyncClient
) -> None:
    screening_id = await positive_screen_on_worklist(net, "pt-intake-view-1")
    her = PATIENT | {"weeks_postpartum": 6}
    made = await referral.post(
        "/v1/referrals",
        json=body(patient_ref="pt-intake-view-1", screening_id=screening_id, patient=her),
        headers=net.auth(SITE) | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    practice = net.auth(PRACTICE, Role.PRACTICE)
    read = (await referral.get(f"/v1/referrals/{rid}", headers=practice)).json()
    assert read["screen"]["instrument"] == "PHQ-9" and read["screen"]["total"] == 27
    assert read["screen"]["urgent"] is True, "PHQ-9 item 9 answered above zero"
    assert read["coverage"] == {"coverage": "plan", "plan": "bcbs-il"}
    assert (read["patient"]["weeks_postpartum"], read["patient"]["weeks_pregnant"]) == (6, None)
    closed = (
        await referral.get(f"/v1/referrals/{rid}?with_patient=false", headers=practice)
    ).json()
    assert (closed["screen"], closed["coverage"]) == (None, None), "not opened unless asked"
    reads = await net.query(
        "referral",
        "SELECT record_type FROM audit_log WHERE record_id = $1 AND action = 'read'",
        rid,
    )
    assert {"referral_patient", "referral_screen"} <= {r["record_type"] for r in reads}

    await referral.post(f"/v1/intake/{rid}/acknowledge", headers=practice)
    when = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    booked = await referral.post(
        f"/v1/intake/{rid}/schedule",
        json={"appointment_at": when, "modality": "in_person", "clinician": "person:dr-lee"},
        headers=practice,
    )
    assert booked.status_code == 200, booked.text
    read = (await referral.get(f"/v1/referrals/{rid}", headers=practice)).json()
    assert read["appointment"]["clinician"] == "person:dr-lee"
    mine = await referral.get("/v1/intake", params={"clinician": "person:dr-lee"}, headers=practice)
    assert [i["id"] for i in mine.json()["items"]] == [rid]
    assert mine.json()["items"][0]["appointment"]["clinician"] == "person:dr-lee"
    other = await referral.get("/v1/intake", params={"clinician": "person:x"}, headers=practice)
    assert other.json()["items"] == []
    named = await referral.post(
        f"/v1/intake/{rid}/schedule",
        json={"appointment_at": when, "modality": "in_person", "clinician": "Dr Ana Lee"},
        headers=practice,
    )
    assert named.status_code == 422, "a staff id, never a name"
