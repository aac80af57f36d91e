"""The Bundles a FHIR Backport subscriber receives (profile backport-subscription-notification-r4)
and reads from `$status`: each starts with a SubscriptionStatus, an R4 Parameters. Pure.

A notification is stored in Warmlink's own shape (payloads.py) like any other and rendered here
as it is delivered, so replay, retries, redelivery and the delivery log work unchanged. The
backport counts only events: `events-since-subscription-start` leaves out the handshake and the
heartbeats, which in Warmlink's own numbering take numbers too, so the delivery worker passes the
count kept with the claim (adapters/claims.py).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.backport import IG, TOPIC_URL

NOTIFICATION_PROFILE = f"{IG}/StructureDefinition/backport-subscription-notification-r4"
STATUS_PROFILE = f"{IG}/StructureDefinition/backport-subscription-status-r4"
NOTIFICATION_TYPES = {
    payloads.HANDSHAKE: "handshake",
    payloads.HEARTBEAT: "heartbeat",
    payloads.STATUS_CHANGED: "event-notification",
}


def notification_bundle(
    notification_id: UUID, payload: dict[str, Any], events_since_start: int, fhir_base: str
) -> dict[str, Any]:
    """The history Bundle for one stored notification. Its ids are the notification's, so a
    retried delivery is the same Bundle (as its webhook-id is the same)."""
    subscription_id = payload["subscription_id"]
    kind = NOTIFICATION_TYPES[payload["type"]]
    status = subscription_status(
        notification_id, subscription_id, "active", kind, events_since_start, fhir_base
    )
    entries = [_status_entry(notification_id, subscription_id, status, fhir_base)]
    if kind == "event-notification":
        task = f"Task/{payload['referral_id']}"
        status["parameter"].append(
            {
                "name": "notification-event",
                "part": [
                    {"name": "event-number", "valueString": str(events_since_start)},
                    {"name": "timestamp", "valueInstant": payload["occurred_at"]},
                    {"name": "focus", "valueReference": {"reference": f"{fhir_base}/{task}"}},
                ],
            }
        )
        # id-only: the focus is named, its content is read with the subscriber's own token.
        entries.append(
            {
                "fullUrl": f"{fhir_base}/{task}",
                "request": {"method": "PUT", "url": task},
                "response": {"status": "200"},
            }
        )
    return {
        "resourceType": "Bundle",
        "id": str(notification_id),
        "meta": {"profile": [NOTIFICATION_PROFILE]},
        "type": "history",
        "timestamp": payload["timestamp"],
        "entry": entries,
    }


def status_bundle(
    bundle_id: UUID, subscription_id: UUID, status: str, events_since_start: int, fhir_base: str
) -> dict[str, Any]:
    """`$status`: a searchset Bundle with the subscription's SubscriptionStatus."""
    parameters = subscription_status(
        bundle_id, str(subscription_id), status, "query-status", events_since_start, fhir_base
    )
    return {
        "resourceType": "Bundle",
        "id": str(bundle_id),
        "type": "searchset",
        "total": 1,
        "entry": [
            {
                "fullUrl": f"urn:uuid:{bundle_id}",
                "resource": parameters,
                "search": {"mode": "match"},
            }
        ],
    }


def subscription_status(
    status_id: UUID,
    subscription_id: str,
    status: str,
    kind: str,
    events_since_start: int,
    fhir_base: str,
) -> dict[str, Any]:
    """A SubscriptionStatus (Parameters, profile backport-subscription-status-r4)."""
    return {
        "resourceType": "Parameters",
        "id": str(status_id),
        "meta": {"profile": [STATUS_PROFILE]},
        "parameter": [
            {
                "name": "subscription",
                "valueReference": {"reference": f"{fhir_base}/Subscription/{subscription_id}"},
            },
            {"name": "topic", "valueCanonical": TOPIC_URL},
            {"name": "status", "valueCode": status},
            {"name": "type", "valueCode": kind},
            {"name": "events-since-subscription-start", "valueString": str(events_since_start)},
        ],
    }


def _status_entry(
    status_id: UUID, subscription_id: str, status: dict[str, Any], fhir_base: str
) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{status_id}",
        "resource": status,
        "request": {"method": "GET", "url": f"Subscription/{subscription_id}/$status"},
        "response": {"status": "200"},
    }
