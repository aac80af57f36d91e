"""The FHIR R4 CapabilityStatement of `/fhir/metadata`: what this server offers an EHR, built from
one table so that a route added under /fhir is declared in one place.

`CAPABILITY_RESOURCES` lists each resource type served, its interactions and its search
parameters. The subscriptions part describes its own `Subscription` entry (the Backport IG's
topic, profile and `$status`: `backport.capability_resource`), which the statement appends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.referral.adapters.fhir_task import BSER_SERVICE_REQUEST_PROFILE, BSER_TASK_PROFILE
from services.referral.subscriptions.domain import backport

FHIR_VERSION = "4.0.1"
SEARCH_PARAMETER = "http://hl7.org/fhir/SearchParameter/"


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str  # http://hl7.org/fhir/R4/valueset-search-param-type.html
    documentation: str
    definition: str | None = None  # the SearchParameter's canonical, for the standard ones


@dataclass(frozen=True)
class ResourceCapability:
    type: str
    interactions: tuple[str, ...]  # read, search-type, ...
    profile: str | None = None
    search: tuple[SearchParam, ...] = ()


CAPABILITY_RESOURCES: tuple[ResourceCapability, ...] = (
    ResourceCapability(
        "Task",
        ("read", "search-type"),
        BSER_TASK_PROFILE,
        (
            SearchParam(
                "requester",
                "reference",
                "The referring organization: Organization/<id>",
                SEARCH_PARAMETER + "Task-requester",
            ),
            SearchParam(
                "owner",
                "reference",
                "The practice that owns the referral now: Organization/<id>",
                SEARCH_PARAMETER + "Task-owner",
            ),
            SearchParam(
                "status",
                "token",
                "Task.status; comma-separated for any of several",
                SEARCH_PARAMETER + "Task-status",
            ),
            SearchParam(
                "_lastUpdated",
                "date",
                "When the referral last changed; eq, ge, gt, le, lt; repeat for a range",
                SEARCH_PARAMETER + "Resource-lastUpdated",
            ),
            SearchParam(
                "_id", "token", "Task ids, comma-separated", SEARCH_PARAMETER + "Resource-id"
            ),
            SearchParam("_count", "number", "Entries per page, 0 to 100 (default 20)"),
        ),
    ),
    ResourceCapability("ServiceRequest", ("read",), BSER_SERVICE_REQUEST_PROFILE),
)


def capability_statement(base_url: str, as_of: datetime) -> dict[str, Any]:
    """The CapabilityStatement for the server at `base_url` (its FHIR base), as of `as_of`."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": as_of.isoformat(),
        "kind": "instance",
        "software": {"name": "Warmlink referral"},
        "implementation": {"description": "Warmlink referral service", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/"
                                    "restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "A bearer token from the directory's token endpoint (OAuth 2.0 "
                    "client credentials); only /metadata is public.",
                },
                "resource": [_resource(r) for r in CAPABILITY_RESOURCES]
                + [backport.capability_resource(base_url)],
            }
        ],
    }


def _resource(r: ResourceCapability) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "type": r.type,
        "interaction": [{"code": code} for code in r.interactions],
    }
    if r.profile:
        resource["profile"] = r.profile
    if r.search:
        resource["searchParam"] = [
            {"name": p.name, "type": p.type, "documentation": p.documentation}
            | ({"definition": p.definition} if p.definition else {})
            for p in r.search
        ]
    return resource
