"""FHIR R4 Backport subscriptions without a network: what a client's Subscription may ask for, and
every resource the service shows or sends, validated with fhir.resources (its R4B models: the
package has no R4 module, and Subscription, Bundle and Parameters have the R4 shape in R4B)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatementRestResource
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.subscription import Subscription

from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.backport import (
    TOPIC_URL,
    capability_resource,
    read_subscription,
    subscription_resource,
)
from services.referral.subscriptions.domain.backport_bundles import (
    notification_bundle,
    status_bundle,
)
from services.referral.subscriptions.domain.delivery import Claim
from services.referral.subscriptions.domain.errors import BackportRefused
from tests.support.fhir_backport import IG, ORG, parameters_of, requested
from warmlink.fhir import operation_outcome

BASE = "https://warmlink.example/fhir"


def test_a_backport_subscription_is_read_with_its_heartbeat_and_role() -> None:
    wanted = read_subscription(requested(), ORG)
    assert (wanted.url, wanted.heartbeat_s, wanted.organization_role) == (
        "https://ehr.example/hook",
        120.0,
        "requester",
    )
    unfiltered = requested()
    del unfiltered["_criteria"]
    assert read_subscription(unfiltered, ORG).organization_role is None


@pytest.mark.parametrize(
    ("change", "expression"),
    [
        ({"criteria": "http://example.org/SubscriptionTopic/admission"}, "Subscription.criteria"),
        ({"channel.type": "websocket"}, "Subscription.channel.type"),
        ({"channel.payload": "application/fhir+xml"}, "Subscription.channel.payload"),
        (
            {
                "channel._payload": {
                    "extension": [
                        {"url": f"{IG}/backport-payload-content", "valueCode": "full-resource"}
                    ]
                }
            },
            "Subscription.channel.payload",
        ),
        ({"channel.header": ["Authorization: Bearer x"]}, "Subscription.channel.header"),
        ({"end": "2030-01-01T00:00:00Z"}, "Subscription.end"),
    ],
)
def test_what_is_not_offered_is_refused_naming_where(
    change: dict[str, Any], expression: str
) -> None:
    with pytest.raises(BackportRefused) as refused:
        read_subscription(requested(**change), ORG)
    assert refused.value.field == expression
    located = [{"pointer": refused.value.field, "detail": refused.value.detail}]
    outcome = operation_outcome(422, refused.value.detail, located, "not-supported")
    assert OperationOutcome.model_validate(outcome).issue[0].expression == [expression]


@pytest.mark.parametrize(
    "criterion",
    [
        "Task?requester:identifier=urn:warmlink:organization|someone-else",  # not the caller
        "Task?owner=Organization/site-a",  # not by identifier
        f"Task?status=completed&owner:identifier=urn:warmlink:organization|{ORG}",
    ],
)
def test_a_filter_names_only_the_callers_organization_by_identifier(criterion: str) -> None:
    resource = requested()
    resource["_criteria"]["extension"][0]["valueString"] = criterion
    with pytest.raises(BackportRefused):
        read_subscription(resource, ORG)


def stored(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": uuid.uuid4(),
        "organization_id": ORG,
        "organization_role": "owner",
        "status": "active",
        "status_reason": None,
        "heartbeat_s": 120.0,
        "url": "https://ehr.example/hook",
        "public_key": "whpk_" + "A" * 43 + "=",
    }
    return row | changes


def test_the_stored_subscription_renders_as_a_valid_backport_subscription() -> None:
    row = stored(status="error", status_reason="endpoint answered 410 Gone")
    resource = subscription_resource(row)
    parsed = Subscription.model_validate(resource)
    assert (parsed.status, parsed.criteria, parsed.error) == (
        "error",
        TOPIC_URL,
        row["status_reason"],
    )
    assert resource["_criteria"]["extension"][0]["valueString"] == (
        f"Task?owner:identifier=urn:warmlink:organization|{ORG}"
    )
    assert read_subscription(resource, ORG).organization_role == "owner"  # it reads back


def test_notifications_render_as_backport_history_bundles() -> None:
    subscription, referral, at = uuid.uuid4(), uuid.uuid4(), datetime.now(UTC)
    handshake = payloads.handshake(subscription, at)
    beat = payloads.beat(at) | {"subscription_id": str(subscription), "event_number": 4}
    scheduled = {"status": "scheduled", "event_type": "AppointmentScheduled"}
    change = payloads.status_change(referral_id=referral, **scheduled, occurred_at=at, timestamp=at)
    change |= {"subscription_id": str(subscription), "event_number": 5}

    kinds = {}
    for payload, count in ((handshake, 0), (beat, 3), (change, 4)):
        bundle = notification_bundle(uuid.uuid4(), payload, count, BASE)
        assert bundle["type"] == "history"
        named = parameters_of(bundle)
        assert named["subscription"]["valueReference"]["reference"] == (
            f"{BASE}/Subscription/{subscription}"
        )
        assert named["events-since-subscription-start"]["valueString"] == str(count)
        kinds[named["type"]["valueCode"]] = bundle
    assert set(kinds) == {"handshake", "heartbeat", "event-notification"}
    event = kinds["event-notification"]
    parts = {p["name"]: p for p in parameters_of(event)["notification-event"]["part"]}
    assert parts["event-number"]["valueString"] == "4"
    assert parts["focus"]["valueReference"]["reference"] == f"{BASE}/Task/{referral}"
    assert [e.get("resource") for e in event["entry"][1:]] == [None]  # id-only: no content
    assert event["entry"][1]["fullUrl"] == f"{BASE}/Task/{referral}"
    assert len(kinds["heartbeat"]["entry"]) == 1


def test_a_backport_claim_posts_its_bundle_as_fhir_json_and_others_their_payload() -> None:
    payload = payloads.handshake(uuid.uuid4(), datetime.now(UTC))
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "subscription_id": uuid.uuid4(),
        "event_number": 0,
        "payload": payload,
        "attempt": 1,
        "window_started_at": datetime.now(UTC),
        "url": "https://ehr.example/hook",
        "secret": "whsk_x",
        "previous_secret": None,
        "previous_secret_expires_at": None,
    }
    body, content_type = Claim(**copy.deepcopy(fields)).body()
    assert (orjson.loads(body), content_type) == (payload, "application/json")
    body, content_type = Claim(**fields, fhir_base=BASE, events_since_start=0).body()
    assert content_type == "application/fhir+json"
    assert parameters_of(orjson.loads(body))["type"]["valueCode"] == "handshake"


def test_status_and_capability_resources_validate() -> None:
    bundle = status_bundle(uuid.uuid4(), uuid.uuid4(), "active", 7, BASE)
    assert bundle["type"] == "searchset"
    named = parameters_of(bundle)
    assert (
        named["type"]["valueCode"],
        named["events-since-subscription-start"]["valueString"],
    ) == (
        "query-status",
        "7",
    )
    entry = CapabilityStatementRestResource.model_validate(capability_resource(BASE + "/"))
    assert entry.type == "Subscription" and [o.name for o in entry.operation or []] == ["status"]
