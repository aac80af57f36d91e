"""A FHIR client's side of a Backport subscription, for the unit and end-to-end tests: the
Subscription it posts, and reading a notification's SubscriptionStatus (validated as it is read)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.parameters import Parameters
from fhir.resources.R4B.subscription import Subscription

from services.referral.subscriptions.domain.backport import FILTER_CRITERIA, TOPIC_URL

IG = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition"
ORG = "site-a"


def requested(endpoint: str = "https://ehr.example/hook", **changes: Any) -> dict[str, Any]:
    """A client's Subscription as the IG shows one: topic, id-only rest-hook, heartbeat, filter."""
    resource: dict[str, Any] = {
        "resourceType": "Subscription",
        "meta": {"profile": [f"{IG}/backport-subscription"]},
        "status": "requested",
        "reason": "Referral loop",
        "criteria": TOPIC_URL,
        "_criteria": {
            "extension": [
                {
                    "url": FILTER_CRITERIA,
                    "valueString": f"Task?requester:identifier=urn:warmlink:organization|{ORG}",
                }
            ]
        },
        "channel": {
            "extension": [{"url": f"{IG}/backport-heartbeat-period", "valueUnsignedInt": 120}],
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": "application/fhir+json",
            "_payload": {
                "extension": [{"url": f"{IG}/backport-payload-content", "valueCode": "id-only"}]
            },
        },
    }
    for path, value in changes.items():
        where = resource
        *parents, last = path.split(".")
        for key in parents:
            where = where[key]
        where[last] = value
    Subscription.model_validate(resource)  # the test's own input is a valid R4 Subscription
    return resource


def parameters_of(bundle: dict[str, Any]) -> dict[str, Any]:
    Bundle.model_validate(bundle)
    first = bundle["entry"][0]["resource"]
    Parameters.model_validate(first)
    return {p["name"]: p for p in first["parameter"]}
