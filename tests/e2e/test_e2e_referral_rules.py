"""The server's safety rules for a referral, over the real broker and database.

Urgency: a referral answering a screen whose safety item was positive is stored, answered and
published as urgent, whatever the site sent, and runs on the urgent acknowledgement clock.
Attendance: whether she came (or did not) is refused before the appointment's time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer

from contracts import ReferralSubmitted, decode, payload_of
from contracts.topics import REFERRAL
from services.referral.adapters.directory_client import DirectoryClient
from services.referral.settings import ReferralSettings
from tests.e2e import test_e2e_referral_lifecycle as lifecycle
from tests.e2e.conftest import Network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SERVICE, SITE, problem, submit
from tests.e2e.test_e2e_screen_to_worklist import phq9, worklist
from tests.support.waiting import eventually
from warmlink.auth import Role

BY_RULE = ("urgent", "safety_item_positive")
FROM_START: dict[str, Any] = {"auto_offset_reset": "earliest", "group_id": None}
# The lifecycle module's network (directory, screening, referral).
net = lifecycle.net
referral = lifecycle.referral


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def epds(patient_ref: str, answers: list[int]) -> dict[str, Any]:
    return phq9(patient_ref, answers) | {"instrument": "EPDS"}


async def screen_on_worklist(net: Network, body: dict[str, Any], urgent: bool) -> dict[str, Any]:
    """Record the screen at the site (`urgent` or not, as the screening service scored it) and
    wait until its ScreenPositive is on the worklist."""
    async with httpx.AsyncClient(base_url=net.url("screening")) as screening:
        recorded = await screening.post("/v1/screenings", json=body, headers=net.auth(SITE))
    assert recorded.status_code == 201, recorded.text
    screen: dict[str, Any] = recorded.json()
    assert screen["urgent"] is urgent
    await eventually(
        lambda: worklist(net),
        until=lambda items: any(i["screening_id"] == screen["id"] for i in items),
        what="worklist item",
    )
    return screen


async def published_submission(net: Network, referral_id: str) -> ReferralSubmitted:
    """The ReferralSubmitted the referral service published for `referral_id`."""
    assert net.stack.infra is not None
    topic = net.stack.common_env["KAFKA_TOPIC_PREFIX"] + REFERRAL
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=net.stack.infra.kafka_bootstrap, **FROM_START
    )
    await consumer.start()
    found: list[ReferralSubmitted] = []
    try:

        async def read() -> list[ReferralSubmitted]:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                for record in batch:
                    event = payload_of(decode(record.value))
                    if isinstance(event, ReferralSubmitted):
                        if str(event.referral_id) == referral_id:
                            found.append(event)
            return found

        await eventually(read, until=bool, what="the ReferralSubmitted event")
    finally:
        await consumer.stop()
    return found[0]


async def refer(
    net: Network, client: httpx.AsyncClient, key: str, screen: dict[str, Any], urgency: str
) -> dict[str, Any]:
    """A referral answering `screen`, asking for `urgency`; the 201 answer."""
    created = await submit(
        net,
        client,
        key,
        screening_id=screen["id"],
        patient_ref=screen["patient_ref"],
        urgency=urgency,
    )
    assert created.status_code == 201, created.text
    made: dict[str, Any] = created.json()
    return made


async def urgent_deadline(net: Network, submitted_at: datetime) -> datetime:
    """The practice's urgent acknowledgement deadline, by the rule the referral service uses."""
    settings = ReferralSettings()
    directory = DirectoryClient(
        net.url("directory"), 5.0, settings.holidays(), settings.acknowledgement_rule()
    )
    try:
        practice = await directory.practice(net.token(SITE, Role.CLINIC), PRACTICE, SERVICE)
    finally:
        await directory.close()
    assert practice is not None
    return practice.acknowledge_by(submitted_at, urgent=True)


async def test_an_urgent_epds_referred_as_routine_is_stored_and_published_urgent(
    net: Network, referral: httpx.AsyncClient
) -> None:
    # Item 10 ("the thought of harming myself has occurred to me"), reverse-scored, answered
    # "hardly ever" (option 2 of 0..3, score 1): the safety item is positive.
    screen = await screen_on_worklist(net, epds("pt-urgency-1", [2] * 9 + [2]), urgent=True)

    made = await refer(net, referral, "urgency-lowered", screen, "routine")
    deadline = await urgent_deadline(net, at(made["submitted_at"]))
    answered = (made["urgency"], made["urgency_reason"], at(made["acknowledge_by"]))
    assert answered == (*BY_RULE, deadline)

    [stored] = await net.query(
        "referral",
        "SELECT urgency, urgency_reason, acknowledge_by FROM referrals WHERE id = $1::uuid",
        made["id"],
    )
    assert tuple(stored) == (*BY_RULE, deadline)
    event = await published_submission(net, made["id"])
    assert (event.urgency, event.urgency_reason, event.acknowledge_by) == (*BY_RULE, deadline)
    seen = await referral.get(f"/v1/referrals/{made['id']}", headers=net.auth(SITE))
    assert seen.json()["urgency_reason"] == "safety_item_positive"


async def test_a_site_may_raise_urgency_and_a_routine_screen_stays_routine(
    net: Network, referral: httpx.AsyncClient
) -> None:
    # Item 10 answered "never" (score 0); positive on its total.
    screen = await screen_on_worklist(net, epds("pt-urgency-2", [2] * 9 + [3]), urgent=False)
    routine = await refer(net, referral, "urgency-routine", screen, "routine")
    assert (routine["urgency"], routine["urgency_reason"]) == ("routine", None)

    raised = await refer(net, referral, "urgency-raised", screen, "urgent")
    assert (raised["urgency"], raised["urgency_reason"]) == ("urgent", "requested_by_site")
    event = await published_submission(net, raised["id"])
    assert event.urgency_reason == "requested_by_site"


async def test_a_routine_referral_for_a_screen_not_on_the_worklist_is_409_to_retry(
    net: Network, referral: httpx.AsyncClient
) -> None:
    """Its ScreenPositive has not arrived (here: never will), so its urgency cannot be checked:
    nothing is stored; an urgent request for it is accepted, as nothing can be lowered."""
    unknown = str(uuid4())
    refused = await submit(net, referral, "urgency-unknown", screening_id=unknown)
    found = problem(refused, 409)
    assert "#/screening_id" in [e["pointer"] for e in found["errors"]]
    assert found["screening_id"] == unknown
    assert refused.headers["Retry-After"] == "1"
    stored = await net.query(
        "referral", "SELECT id FROM referrals WHERE screening_id = $1::uuid", unknown
    )
    assert stored == []

    urgent = await submit(
        net, referral, "urgency-unknown-urgent", screening_id=unknown, urgency="urgent"
    )
    assert urgent.status_code == 201, urgent.text
    assert urgent.json()["urgency_reason"] == "requested_by_site"


async def test_attendance_before_the_appointment_is_409_naming_its_time(
    net: Network, referral: httpx.AsyncClient
) -> None:
    rid = (await submit(net, referral, "attendance-early")).json()["id"]
    practice = net.auth(PRACTICE, Role.PRACTICE)
    ahead = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    for step, payload in (
        ("acknowledge", None),
        ("schedule", {"appointment_at": ahead.isoformat(), "modality": "telehealth"}),
    ):
        moved = await referral.post(f"/v1/intake/{rid}/{step}", json=payload, headers=practice)
        assert moved.status_code == 200, moved.text

    for step in ("attended", "missed"):
        early = await referral.post(f"/v1/intake/{rid}/{step}", headers=practice)
        found = problem(early, 409)
        assert datetime.fromisoformat(found["appointment_at"]) == ahead
        assert found["appointment_at"] in found["detail"]
    seen = (await referral.get(f"/v1/referrals/{rid}", headers=practice)).json()
    assert seen["status"] == "scheduled"
    timeline = await referral.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))
    assert [t["action"] for t in timeline.json()] == ["submit", "acknowledge", "schedule"]
