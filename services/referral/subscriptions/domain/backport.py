"""Referral status subscriptions in the FHIR Subscriptions R4 Backport shape
(hl7.fhir.uv.subscriptions-backport 1.1.0): reading a client's Subscription, and the Subscription
resource the service shows back. Pure; the notification Bundles are in backport_bundles.py.
The profiles and extensions were read from the IG's FSH sources, github.com/HL7/
fhir-subscription-backport-ig tag v1.1.0 (commit 1037e74baec348cf6cb72acc7ff5675d48d55bc0);
nothing is copied from it.

What Warmlink offers is one topic, referral status changes (a Task's status or business status
moved), with `id-only` content over `rest-hook`: a notification names the Task, and the
subscriber reads it with its own token (`GET /fhir/Task/{id}`), as the JSON notifications name
the referral and carry no PHI. A filter may narrow the topic to the Tasks whose requester (the
referring site) or owner (the practice) is the caller's organization; another organization's
Tasks cannot be asked for. Deliveries are signed with Standard Webhooks v1a (ed25519): a FHIR
Subscription has nowhere to hand back a shared secret, and the public key is not a secret, so
the resource carries it as an extension on every read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.referral.subscriptions.domain.errors import BackportRefused

IG = "http://hl7.org/fhir/uv/subscriptions-backport"
SUBSCRIPTION_PROFILE = f"{IG}/StructureDefinition/backport-subscription"
FILTER_CRITERIA = f"{IG}/StructureDefinition/backport-filter-criteria"
PAYLOAD_CONTENT = f"{IG}/StructureDefinition/backport-payload-content"
HEARTBEAT_PERIOD = f"{IG}/StructureDefinition/backport-heartbeat-period"
STATUS_OPERATION = f"{IG}/OperationDefinition/backport-subscription-status"
TOPIC_CANONICAL = f"{IG}/StructureDefinition/capabilitystatement-subscriptiontopic-canonical"
# The topic's canonical URL: a name, not an address to fetch (R4 has no SubscriptionTopic).
TOPIC_URL = "urn:warmlink:fhir:SubscriptionTopic:referral-status-change"
PUBLIC_KEY_EXTENSION = "urn:warmlink:fhir:StructureDefinition:webhook-public-key"
ORGANIZATION_SYSTEM = "urn:warmlink:organization"  # as the Task names its requester and owner
FHIR_JSON = "application/fhir+json"
REASON = "Warmlink referral status changes"
ROLES = ("requester", "owner")


@dataclass(frozen=True)
class BackportRequest:
    """What a client's Subscription asks for, once read and checked."""

    url: str
    heartbeat_s: float | None
    organization_role: str | None  # requester, owner, or None for both


def read_subscription(resource: Any, organization_id: str) -> BackportRequest:
    """The client's Subscription (a parsed JSON body), or BackportRefused saying what is not
    offered. Only what Warmlink does is accepted: nothing asked for is silently dropped."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        raise BackportRefused("The body is not a Subscription resource.", "Subscription")
    if resource.get("criteria") != TOPIC_URL:
        raise BackportRefused(f"The only topic offered is {TOPIC_URL}.", "Subscription.criteria")
    if resource.get("end") is not None:
        raise BackportRefused("Subscriptions do not end by themselves.", "Subscription.end")
    channel = resource.get("channel")
    if not isinstance(channel, dict) or channel.get("type") != "rest-hook":
        raise BackportRefused("The only channel offered is rest-hook.", "Subscription.channel.type")
    endpoint = channel.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise BackportRefused("A rest-hook needs an endpoint.", "Subscription.channel.endpoint")
    if channel.get("header"):
        raise BackportRefused(
            "Deliveries are signed (Standard Webhooks v1a); custom headers are not sent.",
            "Subscription.channel.header",
        )
    if channel.get("payload") != FHIR_JSON or _extension(
        channel.get("_payload"), PAYLOAD_CONTENT, "valueCode"
    ) != ["id-only"]:
        raise BackportRefused(
            f"The only payload offered is {FHIR_JSON} with id-only content.",
            "Subscription.channel.payload",
        )
    return BackportRequest(
        url=endpoint,
        heartbeat_s=_heartbeat_s(channel),
        organization_role=_role(resource.get("_criteria"), organization_id),
    )


def _heartbeat_s(channel: dict[str, Any]) -> float | None:
    periods = _extension(channel, HEARTBEAT_PERIOD, "valueUnsignedInt")
    if not periods:
        return None
    if len(periods) > 1 or not isinstance(periods[0], int) or periods[0] <= 0:
        raise BackportRefused(
            "heartbeatPeriod is one positive number of seconds.", "Subscription.channel.extension"
        )
    return float(periods[0])


def _role(criteria: Any, organization_id: str) -> str | None:
    """The role a filter narrows to: `Task?requester:identifier=urn:warmlink:organization|<own>`
    or `owner:...` (the `Task?` optional). No filter: both roles."""
    filters = _extension(criteria, FILTER_CRITERIA, "valueString")
    if not filters:
        return None
    where = "Subscription.criteria.extension"
    if len(filters) > 1 or not isinstance(filters[0], str):
        raise BackportRefused("One filter is offered: by requester or by owner.", where)
    name, _, value = filters[0].removeprefix("Task?").partition("=")
    role = name.removesuffix(":identifier")
    if role not in ROLES or name == role or "&" in value:
        raise BackportRefused(
            "The filter is requester:identifier= or owner:identifier= the caller's "
            f"organization ({ORGANIZATION_SYSTEM}|id).",
            where,
        )
    if value != f"{ORGANIZATION_SYSTEM}|{organization_id}":
        raise BackportRefused("A filter may name only the caller's own organization.", where)
    return role


def _extension(element: Any, url: str, value_key: str) -> list[Any]:
    """The values of `element`'s extensions with this url (none when there is no element)."""
    if not isinstance(element, dict):
        return []
    found = element.get("extension") or []
    if not isinstance(found, list):
        return []
    return [e.get(value_key) for e in found if isinstance(e, dict) and e.get("url") == url]


def subscription_resource(row: Any) -> dict[str, Any]:
    """The stored subscription as a Backport Subscription (`row`: a subscriptions row)."""
    criteria: dict[str, Any] = {}
    if row["organization_role"] is not None:
        value = f"Task?{row['organization_role']}:identifier={ORGANIZATION_SYSTEM}|"
        value += row["organization_id"]
        criteria = {"_criteria": {"extension": [{"url": FILTER_CRITERIA, "valueString": value}]}}
    resource: dict[str, Any] = {
        "resourceType": "Subscription",
        "id": str(row["id"]),
        "meta": {"profile": [SUBSCRIPTION_PROFILE]},
        "extension": [{"url": PUBLIC_KEY_EXTENSION, "valueString": row["public_key"]}],
        "status": row["status"],  # active, off, error: the R4 codes
        "reason": REASON,
        "criteria": TOPIC_URL,
        **criteria,
        "channel": {
            "extension": [{"url": HEARTBEAT_PERIOD, "valueUnsignedInt": round(row["heartbeat_s"])}],
            "type": "rest-hook",
            "endpoint": row["url"],
            "payload": FHIR_JSON,
            "_payload": {"extension": [{"url": PAYLOAD_CONTENT, "valueCode": "id-only"}]},
        },
    }
    if row["status_reason"] is not None and row["status"] == "error":
        resource["error"] = row["status_reason"]
    return resource


def capability_resource(base_url: str) -> dict[str, Any]:
    """The CapabilityStatement.rest.resource entry for Subscription (for /fhir/metadata; the
    statement's builder passes the FHIR base). `base_url` documents where $status is called."""
    return {
        "type": "Subscription",
        "extension": [{"url": TOPIC_CANONICAL, "valueCanonical": TOPIC_URL}],
        "supportedProfile": [SUBSCRIPTION_PROFILE],
        "documentation": f"Referral status changes, id-only over rest-hook, signed with "
        f"Standard Webhooks v1a; {base_url.rstrip('/')}/Subscription/[id]/$status",
        "interaction": [{"code": "create"}, {"code": "read"}, {"code": "delete"}],
        "operation": [{"name": "status", "definition": STATUS_OPERATION}],
    }
