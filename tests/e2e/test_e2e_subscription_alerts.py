"""Alerts leave the building: an SLA breach or a gate risk the referral service consumes is sent,
signed and numbered, to the referring site's webhook subscribers, once, and replay returns it.

Over the real broker and database: a screen, a referral and its status change go through the
services; the follow-up service's events are published by the test (as in
test_e2e_referral_followup_reactions), so it decides what arrives and how often.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
from standardwebhooks import Webhook

from services.referral.subscriptions.domain.payloads import ALLOWED_KEYS
from tests.e2e import test_e2e_referral_lifecycle as lifecycle
from tests.e2e import test_e2e_subscriptions as subscriptions_e2e
from tests.e2e.conftest import Network
from tests.e2e.test_e2e_referral_followup_reactions import (
    breach,
    gate_risk,
    publish,
    screened_and_referred,
    settled,
)
from tests.e2e.test_e2e_referral_lifecycle import PATIENT, PRACTICE, SITE
from tests.support.waiting import eventually
from tests.support.webhook_receiver import Receiver
from warmlink.auth import Role

# The lifecycle module's network (directory, screening, referral), private webhooks allowed.
net = lifecycle.net
referral = lifecycle.referral
receiver = subscriptions_e2e.receiver


async def subscribe(
    net: Network, client: httpx.AsyncClient, headers: dict[str, str], url: str, **body: Any
) -> dict[str, Any]:
    response = await client.post("/v1/subscriptions", json={"url": url, **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


QUEUED_TYPES = """
SELECT type FROM subscription_notifications WHERE subscription_id = $1 ORDER BY queued_seq"""
QUEUED_ALERTS = """
SELECT type, payload ->> 'kind' AS kind FROM subscription_notifications
WHERE subscription_id = $1 AND type LIKE 'alert.%' AND payload ->> 'referral_id' = $2
ORDER BY queued_seq"""


async def types_queued(net: Network, subscription: dict[str, Any]) -> list[str]:
    """Every notification written for the subscription, numbered or not, in queue order."""
    rows = await net.query("referral", QUEUED_TYPES, UUID(subscription["id"]))
    return [r["type"] for r in rows]


async def test_a_breach_and_a_gate_risk_reach_the_sites_subscriber_once_signed_and_replayable(
    net: Network, referral: httpx.AsyncClient, receiver: Receiver
) -> None:
    site = net.auth(SITE)
    every = await subscribe(net, referral, site, receiver.url("/alerts"))
    assert every["types"] is None, "by default a subscription takes every type, alerts included"
    statuses_only = await subscribe(
        net, referral, site, receiver.url("/statuses"), types=["referral.status_changed"]
    )
    alerts_only = await subscribe(
        net, referral, site, receiver.url("/only-alerts"), types=["alert.gate_risk"]
    )
    practice = await subscribe(
        net, referral, net.auth(PRACTICE, Role.PRACTICE), receiver.url("/practice")
    )
    _, rid = await screened_and_referred(net, referral, "pt-alert-1")
    breached, gate = breach(rid), gate_risk(rid)
    await publish(net, breached, gate, breached)  # the breach redelivered: one alert still
    await settled(net, referral, rid)

    async def alerts() -> list[dict[str, Any]]:
        verified = [
            Webhook(every["secret"]).verify(r.body, r.headers) for r in receiver.received("/alerts")
        ]
        return [b for b in verified if b["type"].startswith("alert.") and b["referral_id"] == rid]

    got = await eventually(alerts, until=lambda a: len(a) >= 2, timeout=30, what="two alerts")
    assert [(a["type"], a["kind"], a["alert_id"]) for a in got] == [
        ("alert.sla_breached", "ack_overdue", str(breached.event_id)),
        ("alert.gate_risk", "hospital_discharge", str(gate.event_id)),
    ]
    sla, risk = got
    assert sla["due_at"] and sla["raised_at"] and sla["urgent"] is False
    assert (risk["missing"], risk["urgent"]) == (["appointment"], True)
    assert all(set(a) <= ALLOWED_KEYS for a in got)
    everything = "".join(r.body for r in receiver.received("/alerts"))
    assert not [v for v in PATIENT.values() if v in everything], "no PHI in a webhook"
    assert risk["event_number"] == sla["event_number"] + 1, "numbered like status changes"

    queued = await types_queued(net, every)
    assert (queued.count("alert.sla_breached"), queued.count("alert.gate_risk")) == (1, 1)
    assert not [t for t in await types_queued(net, statuses_only) if t.startswith("alert.")]
    assert not [t for t in await types_queued(net, practice) if t.startswith("alert.")]
    assert await types_queued(net, alerts_only) == ["subscription.handshake", "alert.gate_risk"]

    since = sla["event_number"] - 1
    replay = await referral.get(
        f"/v1/subscriptions/{every['id']}/events", params={"since": since}, headers=site
    )
    assert replay.status_code == 200, replay.text
    replayed = replay.json()["events"][:2]
    assert [e["type"] for e in replayed] == ["alert.sla_breached", "alert.gate_risk"]
    assert [e["payload"] for e in replayed] == got


async def test_an_acknowledgement_breach_the_referral_outran_is_noted_not_alerted(
    net: Network, referral: httpx.AsyncClient, receiver: Receiver
) -> None:
    """The practice answered before the breach was handled: nothing to act on, so no alert;
    a breach of another rule for the same referral still is one."""
    every = await subscribe(net, referral, net.auth(SITE), receiver.url("/outrun"))
    _, rid = await screened_and_referred(net, referral, "pt-alert-2")
    acked = await referral.post(
        f"/v1/intake/{rid}/acknowledge", headers=net.auth(PRACTICE, Role.PRACTICE)
    )
    assert acked.status_code == 200, acked.text
    await publish(net, breach(rid), breach(rid, kind="discharge_without_appointment"))
    await settled(net, referral, rid)
    rows = await net.query("referral", QUEUED_ALERTS, UUID(every["id"]), rid)
    assert [(r["type"], r["kind"]) for r in rows] == [
        ("alert.sla_breached", "discharge_without_appointment")
    ]
