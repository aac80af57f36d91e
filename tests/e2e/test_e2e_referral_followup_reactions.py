"""The referral service answers the follow-up service's events, over the real broker.

The follow-up service is not started: the test publishes its events itself (real envelopes on
the real follow-up topic), so it decides exactly what arrives, when, and how often.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from aiokafka import AIOKafkaProducer

from contracts import (
    Envelope,
    EventPayload,
    FollowUpCompleted,
    FollowUpDue,
    GateAlertRaised,
    SlaBreached,
    encode,
    wrap,
)
from contracts.topics import FOLLOWUP
from tests.e2e import test_e2e_referral_lifecycle as lifecycle
from tests.e2e.conftest import Network
from tests.e2e.test_e2e_referral_lifecycle import PRACTICE, SITE, positive_screen_on_worklist
from tests.e2e.test_e2e_referral_lifecycle import submit as submit_referral
from tests.e2e.test_e2e_screen_to_worklist import worklist
from tests.support.waiting import eventually
from warmlink.auth import Role


def now() -> datetime:
    """Taken when an event is built: the suite may run for minutes after import."""
    return datetime.now(UTC)


# The lifecycle module's network (directory, screening, referral; no follow-up service).
net = lifecycle.net
referral = lifecycle.referral


async def publish(net: Network, *envelopes: Envelope) -> None:
    """Onto the follow-up topic, keyed by referral id as the follow-up service does."""
    assert net.stack.infra is not None
    producer = AIOKafkaProducer(bootstrap_servers=net.stack.infra.kafka_bootstrap)
    await producer.start()
    try:
        topic = net.stack.common_env["KAFKA_TOPIC_PREFIX"] + FOLLOWUP
        for env in envelopes:
            await producer.send_and_wait(topic, encode(env), key=env.subject.encode())
    finally:
        await producer.stop()


def followup(payload: EventPayload) -> Envelope:
    return wrap(payload, producer="followup")


def base(rid: str, practice: str = PRACTICE) -> dict[str, Any]:
    return {"referral_id": UUID(rid), "site_id": SITE, "practice_id": practice}


def breach(rid: str, practice: str = PRACTICE, kind: str = "ack_overdue") -> Envelope:
    return followup(
        SlaBreached(
            **base(rid, practice),
            kind=kind,
            due_at=now() - timedelta(hours=1),
            detected_at=now(),
            urgent=False,
        )
    )


def due(rid: str) -> Envelope:
    return followup(
        FollowUpDue(
            **base(rid),
            follow_up_id=uuid4(),
            kind="scheduling_check",
            window_opens_at=now(),
            due_at=now() + timedelta(days=3),
            urgent=False,
        )
    )


def gate_risk(rid: str) -> Envelope:
    """Four hours before the hospital discharge, no confirmed appointment."""
    return followup(
        GateAlertRaised(
            **base(rid),
            gate="hospital_discharge",
            gate_at=now() + timedelta(hours=4),
            missing=("appointment",),
            raised_at=now(),
            urgent=True,
        )
    )


def completed(rid: str, *, re_engaged: bool) -> Envelope:
    return followup(
        FollowUpCompleted(
            **base(rid),
            follow_up_id=uuid4(),
            kind="next_visit_check",
            outcome="not_attended",
            barrier="wait_too_long",
            re_engaged=re_engaged,
            completed_at=now(),
        )
    )


async def timeline(net: Network, client: httpx.AsyncClient, rid: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/referrals/{rid}/timeline", headers=net.auth(SITE))
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()
    return entries


async def settled(net: Network, client: httpx.AsyncClient, rid: str) -> list[dict[str, Any]]:
    """Publish a marker behind what was sent (same key, same partition, so handled after it)
    and wait for its note: everything before it has been handled by then."""

    def markers(entries: list[dict[str, Any]]) -> int:
        return [e["action"] for e in entries].count("follow_up_due")

    before = markers(await timeline(net, client, rid))
    await publish(net, due(rid))
    return await eventually(
        lambda: timeline(net, client, rid),
        until=lambda t: markers(t) > before,
        timeout=30,
        what="the marker's timeline note",
    )


def actions(entries: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(e["action"], e["reason"]) for e in entries]


async def screened_and_referred(
    net: Network, client: httpx.AsyncClient, patient_ref: str
) -> tuple[str, str]:
    """A positive screen on the worklist, answered by a referral: (screening id, referral id)."""
    sid = await positive_screen_on_worklist(net, patient_ref)
    assert (await item_for(net, sid))[0]["reason"] == "positive_screen"
    created = await submit_referral(
        net, client, patient_ref, screening_id=sid, patient_ref=patient_ref
    )
    assert created.status_code == 201, created.text
    return sid, created.json()["id"]


async def next_match(net: Network, client: httpx.AsyncClient, rid: str) -> dict[str, Any]:
    found = await client.get(f"/v1/referrals/{rid}/next-matches", headers=net.auth(SITE))
    assert found.status_code == 200, found.text
    match: dict[str, Any] = found.json()["matches"][0]
    return match


async def redirect(
    net: Network, client: httpx.AsyncClient, rid: str, target: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/v1/referrals/{rid}/redirect",
        json={"practice_id": target["organization_id"], "service_id": target["service_id"]},
        headers=net.auth(SITE),
    )


async def item_for(net: Network, screening_id: str) -> list[dict[str, Any]]:
    return [i for i in await worklist(net) if i["screening_id"] == screening_id]


async def test_an_overdue_acknowledgement_returns_the_patient_for_a_redirect_once(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid, rid = await screened_and_referred(net, referral, "pt-fu-ack")
    assert not await item_for(net, sid)
    target = await next_match(net, referral, rid)
    refused = await redirect(net, referral, rid, target)
    assert refused.status_code == 409, "not overdue yet: no redirect"
    assert refused.json()["current_status"] == "submitted"

    event = breach(rid)
    await publish(net, event)
    back = await eventually(
        lambda: item_for(net, sid), timeout=30, what="the overdue referral on the worklist"
    )
    assert back[0]["reason"] == "acknowledgement_overdue"
    assert back[0]["referral_id"] == rid and back[0]["returned_at"]
    assert back[0]["next_matches"] == f"/v1/referrals/{rid}/next-matches"

    await publish(net, event)  # redelivered: the same event id again
    entries = await settled(net, referral, rid)
    assert actions(entries)[:3] == [
        ("submit", None),
        ("sla_breached", "ack_overdue"),
        ("returned_to_worklist", "acknowledgement_overdue"),
    ]
    assert actions(entries).count(("sla_breached", "ack_overdue")) == 1
    note = entries[1]
    assert (note["actor"], note["organization_id"], note["status"]) == (
        "followup",
        "network",
        "submitted",
    )
    assert len(await item_for(net, sid)) == 1

    options = (await referral.get(back[0]["next_matches"], headers=net.auth(SITE))).json()
    assert PRACTICE not in {m["organization_id"] for m in options["matches"]}
    moved = await redirect(net, referral, rid, target)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["status"], moved.json()["practice"]["id"]) == (
        "submitted",
        target["organization_id"],
    )
    assert not await item_for(net, sid), "redirected: off the worklist"
    silent = await referral.post(
        f"/v1/intake/{rid}/acknowledge", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert silent.status_code == 404, "the silent practice no longer owns it"

    await publish(net, breach(rid))  # a late breach naming the practice it left
    entries = await settled(net, referral, rid)
    assert actions(entries)[-3:] == [
        ("sla_breached", "ack_overdue"),
        ("no_action", "redirected"),
        ("follow_up_due", "scheduling_check"),
    ]
    assert not await item_for(net, sid)
    again = await redirect(net, referral, rid, await next_match(net, referral, rid))
    assert again.status_code == 409, "the new practice has its own deadline"


async def test_a_breach_for_an_acknowledged_referral_changes_nothing(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid, rid = await screened_and_referred(net, referral, "pt-fu-acked")
    acked = await referral.post(
        f"/v1/intake/{rid}/acknowledge", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert acked.json()["status"] == "acknowledged"

    await publish(net, breach(rid))
    entries = await settled(net, referral, rid)
    assert actions(entries) == [
        ("submit", None),
        ("acknowledge", None),
        ("sla_breached", "ack_overdue"),
        ("no_action", "acknowledged"),
        ("follow_up_due", "scheduling_check"),
    ]
    assert not await item_for(net, sid)
    got = await referral.get(f"/v1/referrals/{rid}", headers=net.auth(SITE))
    assert got.json()["status"] == "acknowledged"
    refused = await redirect(net, referral, rid, await next_match(net, referral, rid))
    assert refused.status_code == 409
    assert refused.json()["current_status"] == "acknowledged"


async def test_a_re_engaged_patient_comes_back_once_for_a_new_referral(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid, rid = await screened_and_referred(net, referral, "pt-fu-re")
    gate = gate_risk(rid)
    not_engaged = completed(rid, re_engaged=False)
    await publish(net, gate, not_engaged)
    await settled(net, referral, rid)
    assert not await item_for(net, sid), "not re-engaged: stays off the list"

    first, second = completed(rid, re_engaged=True), completed(rid, re_engaged=True)
    await publish(net, first, first, second)  # a redelivery and a second report
    back = await eventually(
        lambda: item_for(net, sid), timeout=30, what="the re-engaged patient on the worklist"
    )
    entries = await settled(net, referral, rid)
    assert len(await item_for(net, sid)) == 1
    assert (back[0]["reason"], back[0]["reason_detail"], back[0]["referral_id"]) == (
        "re_engagement",
        "wait_too_long",
        rid,
    )
    assert actions(entries) == [
        ("submit", None),
        ("gate_alert_raised", "hospital_discharge"),
        ("follow_up_completed", "next_visit_check"),
        ("follow_up_due", "scheduling_check"),
        ("follow_up_completed", "next_visit_check"),
        ("returned_to_worklist", "re_engagement"),
        ("follow_up_completed", "next_visit_check"),  # the second report: already open
        ("follow_up_due", "scheduling_check"),
    ]
    assert all(e["organization_id"] == "network" for e in entries[1:])

    renewed = await submit_referral(
        net, referral, "fu-re-2", screening_id=sid, patient_ref="pt-fu-re"
    )
    assert renewed.status_code == 201
    assert not await item_for(net, sid), "the new referral answers the re-engagement"


async def test_a_late_acknowledgement_settles_the_overdue_item_and_a_decline_says_why(
    net: Network, referral: httpx.AsyncClient
) -> None:
    sid, rid = await screened_and_referred(net, referral, "pt-fu-late")
    await publish(net, breach(rid))
    await eventually(lambda: item_for(net, sid), timeout=30, what="the overdue referral")
    practice = net.auth(PRACTICE, Role.PRACTICE)
    acked = await referral.post(f"/v1/intake/{rid}/acknowledge", headers=practice)
    assert acked.status_code == 200, acked.text
    assert not await item_for(net, sid), "the practice answered: nothing left to redirect"

    await referral.post(
        f"/v1/intake/{rid}/decline", json={"reason": "no_capacity"}, headers=practice
    )
    back = await item_for(net, sid)
    assert (back[0]["reason"], back[0]["reason_detail"]) == ("declined", "no_capacity")
