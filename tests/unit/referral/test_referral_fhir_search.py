"""The FHIR Task search's parameters (read strictly), its Bundle and the CapabilityStatement: valid
R4 by fhir.resources, offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from services.referral.adapters.fhir_bundle import searchset
from services.referral.adapters.fhir_capability import CAPABILITY_RESOURCES, capability_statement
from services.referral.entrypoints.fhir_search import (
    CURSOR,
    OUR_STATES,
    SUPPORTED,
    read_cursor,
    task_query,
    write_cursor,
)
from warmlink.problems import BadRequest

ORG = "site-ob-lakeview"
BASE = "https://fhir.warmlink.example/fhir"
ID = UUID("6f1c2d3e-4b5a-4c6d-8e7f-001122334455")


def refused(params: list[tuple[str, str]]) -> dict[str, Any]:
    with pytest.raises(BadRequest) as raised:
        task_query(ORG, params)
    assert raised.value.status == 400
    [error] = raised.value.errors
    return error


def test_no_parameters_is_every_task_of_the_callers_organization() -> None:
    q = task_query(ORG, [])
    assert q.organization_id == ORG
    assert (q.requester, q.owner, q.statuses, q.ids, q.after) == (None, None, None, None, None)
    assert q.count == 20


def test_references_and_statuses() -> None:
    q = task_query(
        ORG,
        [
            ("requester", "Organization/site-ob-lakeview"),
            ("owner", "practice-bloom"),
            ("status", "requested,in-progress"),
        ],
    )
    assert (q.requester, q.owner) == ("site-ob-lakeview", "practice-bloom")
    assert q.statuses == (
        "submitted",
        "scheduled",
        "no_show",
        "appointment_cancelled",
        "attended",
    )


def test_every_task_status_maps_back_to_our_states() -> None:
    assert sorted(OUR_STATES) == [
        "accepted",
        "cancelled",
        "completed",
        "in-progress",
        "rejected",
        "requested",
    ]


def test_last_updated_prefixes_make_a_half_open_range() -> None:
    at = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)
    tick = timedelta(microseconds=1)
    ge = task_query(ORG, [("_lastUpdated", "ge2025-03-10T15:00:00Z")])
    assert (ge.updated_from, ge.updated_before) == (at, None)
    gt = task_query(ORG, [("_lastUpdated", "gt2025-03-10T15:00:00+00:00")])
    assert gt.updated_from == at + tick
    le = task_query(ORG, [("_lastUpdated", "le2025-03-10T15:00:00 00:00")])  # '+' unencoded
    assert (le.updated_from, le.updated_before) == (None, at + tick)
    both = task_query(
        ORG, [("_lastUpdated", "ge2025-03-01"), ("_lastUpdated", "lt2025-03-10T15:00:00Z")]
    )
    assert (both.updated_from, both.updated_before) == (datetime(2025, 3, 1, tzinfo=UTC), at)
    day = task_query(ORG, [("_lastUpdated", "2025-03-10")])
    assert (day.updated_from, day.updated_before) == (
        datetime(2025, 3, 10, tzinfo=UTC),
        datetime(2025, 3, 11, tzinfo=UTC),
    )


def test_ids_count_and_cursor() -> None:
    cursor = write_cursor(datetime(2025, 3, 10, 15, 0, tzinfo=UTC), ID)
    q = task_query(ORG, [("_id", str(ID)), ("_count", "0"), ("_cursor", cursor)])
    assert q.ids == (ID,)
    assert q.count == 0
    assert q.after == (datetime(2025, 3, 10, 15, 0, tzinfo=UTC), ID)
    assert read_cursor(cursor) == q.after


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("subject", "Patient/1")], "subject"),
        ([("_sort", "-_lastUpdated")], "_sort"),
        ([("status", "draft")], "status"),
        ([("requester", "Practitioner/7")], "requester"),
        ([("owner", "")], "owner"),
        ([("owner", "bloom\x00therapy")], "owner"),  # PostgreSQL refuses NUL in text: not a 500
        ([("requester", "Organization/" + "x" * 65)], "requester"),
        ([("_lastUpdated", "le9999-12-31T23:59:59.999999+00:00")], "_lastUpdated"),  # overflow
        ([("_lastUpdated", "gt9999-12-31")], "_lastUpdated"),
        ([("_lastUpdated", "ge0001-01-01T00:00:00+14:00")], "_lastUpdated"),
        ([("_cursor", write_cursor(datetime(2025, 3, 10), ID))], "_cursor"),  # no zone
        ([("_lastUpdated", "ne2025-03-10")], "_lastUpdated"),
        ([("_lastUpdated", "ge2025-03-10T15:00:00")], "_lastUpdated"),  # no zone
        ([("_lastUpdated", "geyesterday")], "_lastUpdated"),
        ([("_count", "101")], "_count"),
        ([("_count", "-1")], "_count"),
        ([("_count", "\u00b2")], "_count"),  # a digit to str.isdigit, not to int()
        ([("_id", "not-an-id")], "_id"),
        ([("_cursor", "bm9wZQ")], "_cursor"),
        ([("status", "requested"), ("status", "accepted")], "status"),
    ],
)
def test_what_it_cannot_read_is_refused_naming_the_parameter(
    params: list[tuple[str, str]], parameter: str
) -> None:
    assert refused(params)["parameter"] == parameter


def test_a_searchset_bundle_is_valid_r4() -> None:
    task = {"resourceType": "Task", "id": str(ID), "status": "requested", "intent": "order"}
    bundle = searchset([task], 7, BASE, f"{BASE}/Task?_count=1", f"{BASE}/Task?_cursor=x")
    Bundle.model_validate(bundle)
    assert bundle["total"] == 7
    assert [link["relation"] for link in bundle["link"]] == ["self", "next"]
    assert bundle["entry"][0]["fullUrl"] == f"{BASE}/Task/{ID}"
    last = searchset([], 7, BASE, f"{BASE}/Task", None)
    assert [link["relation"] for link in last["link"]] == ["self"]
    Bundle.model_validate(last)


def test_the_capability_statement_is_valid_r4_and_lists_the_table() -> None:
    statement = capability_statement(BASE, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    CapabilityStatement.model_validate(statement)
    assert statement["fhirVersion"] == "4.0.1"
    [rest] = statement["rest"]
    served = {r["type"]: r for r in rest["resource"]}
    assert set(served) == {r.type for r in CAPABILITY_RESOURCES} | {"Subscription"}
    assert {"Task", "ServiceRequest"} <= set(served)
    task = served["Task"]
    assert [i["code"] for i in task["interaction"]] == ["read", "search-type"]
    assert {p["name"] for p in task["searchParam"]} == {
        "requester",
        "owner",
        "status",
        "_lastUpdated",
        "_id",
        "_count",
    }
    assert task["profile"].endswith("/BSeR-ReferralTask")
    assert [i["code"] for i in served["ServiceRequest"]["interaction"]] == ["read"]
    # The Backport subscriptions: create, read, delete and $status, on the referral-status topic.
    subscription = served["Subscription"]
    assert [i["code"] for i in subscription["interaction"]] == ["create", "read", "delete"]
    assert [o["name"] for o in subscription["operation"]] == ["status"]
    assert subscription["extension"][0]["valueCanonical"].endswith("referral-status-change")


def test_the_statement_declares_exactly_the_parameters_the_search_reads() -> None:
    [task] = [r for r in CAPABILITY_RESOURCES if r.type == "Task"]
    assert {p.name for p in task.search} | {CURSOR} == set(SUPPORTED)
