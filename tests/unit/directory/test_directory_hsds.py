"""HSDS 3.1 records of the demo region: valid against the published 3.1 schemas, stable, honest
about staleness, and paged as the HSDS API reference's Page."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.directory.domain.model import Coverage, Organization, OrgStatus
from services.directory.hsds.adapters.validate import validate_page, validate_record
from services.directory.hsds.domain import paging
from services.directory.hsds.domain.export import (
    full_organization,
    full_service,
    one_to_one,
    organization_to_hsds,
    service_summary,
    service_to_hsds,
)
from services.directory.hsds.domain.ids import hsds_id
from services.directory.hsds.domain.taxonomy import TAXONOMY, taxonomy_terms
from tools.dev.region import load_region

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # daylight saving time in Chicago (UTC-5)
MODIFIED = datetime(2025, 3, 9, 8, 30, tzinfo=UTC)
STALE_AFTER = timedelta(days=7)
# Records repeated by design: the same term, unit or taxonomy, and a service's own organization
# and locations, which the organization's record holds too.
SHARED = {"taxonomy_term", "taxonomy_detail", "unit", "organization", "location"}


@pytest.fixture(scope="module")
def orgs() -> list[Organization]:
    return load_region(now=NOW)


def full_services(orgs: list[Organization], now: datetime = NOW) -> list[dict[str, Any]]:
    return [
        full_service(service, org, now, STALE_AFTER, MODIFIED)
        for org in orgs
        for service in org.services
    ]


@pytest.fixture(scope="module")
def services(orgs: list[Organization]) -> list[dict[str, Any]]:
    return full_services(orgs)


def service_named(services: list[dict[str, Any]], our_id: str) -> dict[str, Any]:
    uuid = hsds_id("service", our_id)
    found: dict[str, Any] = next(s for s in services if s["id"] == uuid)
    return found


def codes(record: dict[str, Any]) -> dict[str, str | None]:
    return {a["taxonomy_term"]["code"]: a.get("value") for a in record.get("attributes", [])}


def record_ids(node: Any, key: str = "") -> Iterator[str]:
    if isinstance(node, dict) and key not in SHARED:
        if "id" in node:
            yield node["id"]
        for child_key, child in node.items():
            yield from record_ids(child, child_key)
    elif isinstance(node, list):
        for item in node:
            yield from record_ids(item, key)


def all_errors(name: str, records: list[dict[str, Any]]) -> list[str]:
    return [f"{record['id']} {e}" for record in records for e in validate_record(name, record)]


def test_every_full_service_validates_against_service_json(services: list[Any]) -> None:
    assert len(services) == 19
    assert all_errors("service", services) == []


def test_every_full_organization_validates(orgs: list[Organization]) -> None:
    assert all_errors("organization", [full_organization(org) for org in orgs]) == []


def test_list_records_validate_against_the_compiled_list_schemas(
    orgs: list[Organization],
) -> None:
    summaries = [
        service_summary(service, org, NOW, STALE_AFTER, MODIFIED)
        for org in orgs
        for service in org.services
    ]
    assert all_errors("compiled/service_list", summaries) == []
    full = [
        one_to_one(service_to_hsds(service, org, NOW, STALE_AFTER, MODIFIED))
        for org in orgs
        for service in org.services
    ]
    assert [{k: v for k, v in s.items() if k != "organization"} for s in summaries] == full
    assert all(not isinstance(v, list) for s in summaries for v in s.values())
    assert summaries[0]["last_modified"] == "2025-03-09T08:30:00.000Z"
    assert summaries[0]["organization"]["name"]
    organizations = [one_to_one(organization_to_hsds(org)) for org in orgs]
    assert all_errors("compiled/organization_list", organizations) == []


def test_pages_validate_against_the_published_api_responses(
    orgs: list[Organization], services: list[dict[str, Any]]
) -> None:
    summaries = [
        service_summary(service, org, NOW, STALE_AFTER) for org in orgs for service in org.services
    ]
    assert validate_page("/services", paging.page(summaries[:5], 19, 1, 5)) == []
    terms = paging.slice_of(taxonomy_terms(), 2, 10)
    assert validate_page("/taxonomy_terms", terms) == []
    assert validate_page("/taxonomies", paging.slice_of([TAXONOMY], 1, 10)) == []
    # A full service is not what a /services page carries: the published list schema says so.
    errors = validate_page("/services", paging.page(services[:1], 19, 1, 1))
    assert "$.contents[0].phones: not a field of HSDS 3.1 service" in errors


def test_paging_counts_as_the_reference_says() -> None:
    records = [{"id": str(n)} for n in range(7)]
    first = paging.slice_of(records, 1, 3)
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 7,
        "total_pages": 3,
        "page_number": 1,
        "size": 3,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    last = paging.slice_of(records, 3, 3)
    assert (last["contents"], last["last_page"], last["first_page"]) == ([{"id": "6"}], True, False)
    beyond = paging.slice_of(records, 4, 3)
    assert (beyond["size"], beyond["empty"], beyond["last_page"]) == (0, True, True)
    nothing = paging.page([], 0, 1, 3)
    assert (nothing["total_pages"], nothing["empty"], nothing["last_page"]) == (0, True, True)
    with pytest.raises(ValueError, match="start at 1"):
        paging.offset(0, 3)


def test_a_full_service_nests_its_organization_and_locations(
    orgs: list[Organization], services: list[dict[str, Any]]
) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy")
    service = service_named(services, bloom.services[0].id)
    assert (
        service["organization"]["id"]
        == service["organization_id"]
        == hsds_id("organization", "bloom-therapy")
    )
    locations = {loc["id"] for loc in full_organization(bloom)["locations"]}
    for link in service["service_at_locations"]:
        assert link["service_id"] == service["id"]
        assert link["location_id"] == link["location"]["id"] and link["location_id"] in locations
    links = sum(len(s.location_ids) for org in orgs for s in org.services)
    assert sum(len(s["service_at_locations"]) for s in services) == links
    broken = replace(bloom.services[0], location_ids=("nowhere",))
    with pytest.raises(ValueError, match="names unknown"):
        full_service(broken, bloom, NOW, STALE_AFTER)


def test_every_record_id_is_unique(
    orgs: list[Organization], services: list[dict[str, Any]]
) -> None:
    ids = list(record_ids([*services, *(full_organization(org) for org in orgs)]))
    assert len(ids) > 500
    assert len(ids) == len(set(ids))


def test_ids_are_stable(orgs: list[Organization], services: list[dict[str, Any]]) -> None:
    assert full_services(orgs) == services
    assert hsds_id("organization", "bloom-therapy") == hsds_id("organization", "bloom-therapy")
    # Pinned: a change here changes every published UUID.
    assert hsds_id("organization", "bloom-therapy") == "9a9767ea-1555-5f0a-8af0-2f8ee0527cce"
    assert hsds_id("location", "bloom-therapy") != hsds_id("organization", "bloom-therapy")
    with pytest.raises(ValueError, match="unknown HSDS record kind"):
        hsds_id("servcie", "bloom-therapy")


def test_stale_capacity_is_marked(services: list[dict[str, Any]]) -> None:
    stale = service_named(services, "oak-hollow-therapy")
    capacity = stale["capacities"][0]
    assert "capacity-stale" in codes(stale)
    assert "capacity-stale" in codes(capacity)
    assert capacity["description"].startswith("STALE: not confirmed for 20 days")
    assert capacity["updated"] == "2025-02-18T15:00:00.000Z"  # the verification, not the export
    assert "not recently confirmed" in stale["alert"]
    fresh = service_named(services, "bloom-therapy-outpatient")
    assert "capacity-stale" not in codes(fresh)
    assert "STALE" not in fresh["capacities"][0]["description"]
    stale_services = [s for s in services if "capacity-stale" in codes(s)]
    assert len(stale_services) == 1


def test_capacity_is_hsds_service_capacity(services: list[dict[str, Any]]) -> None:
    capacity = service_named(services, "willow-psychiatry-medication")["capacities"][0]
    assert capacity["unit"]["name"] == "intake slot"
    assert (capacity["available"], capacity["maximum"]) == (0, 4)
    flags = codes(capacity)
    assert flags["next-available-intake"] == "2025-03-22"
    assert flags["accepting-new-patients"] == "true"
    full = codes(service_named(services, "new-leaf-postpartum")["capacities"][0])
    assert full["accepting-new-patients"] == "false" and full["waitlist-length"] == "9"
    assert "next-available-intake" not in full


def test_perinatal_facts_travel_as_attributes(services: list[dict[str, Any]]) -> None:
    bloom = codes(service_named(services, "bloom-therapy-outpatient"))
    assert {"level_of_care:outpatient_therapy", "pmh-c", "infant-welcome"} <= set(bloom)
    assert {"modality:in_person", "modality:telehealth", "population:pregnant"} <= set(bloom)
    assert bloom["population:postpartum"] == "12"
    attribute = service_named(services, "st-mary-php")["attributes"][0]
    assert attribute["taxonomy_term"]["taxonomy"] == "warmlink-perinatal"
    assert attribute["link_entity"] == "service" and attribute["link_id"] == hsds_id(
        "service", "st-mary-php"
    )


def test_telehealth_states_are_service_areas(services: list[dict[str, Any]]) -> None:
    lantern = service_named(services, "lantern-telehealth-therapy")
    assert [area["extent"] for area in lantern["service_areas"]] == ["US-IL", "US-IN", "US-WI"]
    assert lantern["service_areas"][1]["name"] == "Indiana (telehealth)"
    assert service_named(services, "new-leaf-postpartum")["service_areas"] == []


def test_languages_phones_and_costs(services: list[dict[str, Any]]) -> None:
    polish = service_named(services, "przystan-perinatal")
    assert {(lang["code"], lang["name"]) for lang in polish["languages"]} == {
        ("en", "English"),
        ("pl", "Polish"),
    }
    fqhc = service_named(services, "eastbrook-fqhc-therapy")
    options = [option["option"] for option in fqhc["cost_options"]]
    assert options[:2] == ["Sliding scale", "Medicaid"]
    assert "Insurance: Blue Cross and Blue Shield of Illinois" in options
    assert [f["source"] for f in fqhc["funding"]] == ["Medicaid reimbursement"]
    assert fqhc["phones"][0]["number"].startswith("(773) 555-01")


def test_schedules_use_the_3_1_fields(
    orgs: list[Organization], services: list[dict[str, Any]]
) -> None:
    lantern = service_named(services, "lantern-telehealth-therapy")["schedules"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in lantern] == [
        ("MO,TU,WE,TH,FR", "08:00-05:00", "20:00-05:00"),
        ("SA", "09:00-05:00", "13:00-05:00"),
    ]
    assert {(s["freq"], s["wkst"], s["timezone"]) for s in lantern} == {("WEEKLY", "MO", -5)}
    winter = full_services(orgs, datetime(2025, 1, 15, 15, tzinfo=UTC))
    first = service_named(winter, "lantern-telehealth-therapy")["schedules"][0]
    assert (first["timezone"], first["opens_at"]) == (-6, "08:00-06:00")


def test_suspended_organization_exports_inactive_services(orgs: list[Organization]) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy")
    suspended = replace(bloom, status=OrgStatus.SUSPENDED)
    service = service_to_hsds(suspended.services[0], suspended, NOW, STALE_AFTER)
    assert service["status"] == "inactive"
    assert "organization-suspended" in codes(organization_to_hsds(suspended))
    assert (
        validate_record("service", full_service(suspended.services[0], suspended, NOW, STALE_AFTER))
        == []
    )
    assert validate_record("organization", full_organization(suspended)) == []


def test_free_and_self_pay_cost_options(orgs: list[Organization]) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy")
    free = replace(bloom.services[0], coverage=Coverage(free=True))
    service = service_to_hsds(free, bloom, NOW, STALE_AFTER)
    assert service["cost_options"][0]["option"] == "Free"
    assert service["cost_options"][0]["amount"] == 0
    nothing = replace(bloom.services[0], coverage=Coverage())
    assert service_to_hsds(nothing, bloom, NOW, STALE_AFTER)["cost_options"] == []


def test_export_refuses_naive_now_and_foreign_services(orgs: list[Organization]) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy")
    other = next(org for org in orgs if org.id == "northside-cmhc")
    with pytest.raises(ValueError, match="timezone-aware"):
        service_to_hsds(bloom.services[0], bloom, NOW.replace(tzinfo=None), STALE_AFTER)
    with pytest.raises(ValueError, match="belongs to bloom-therapy"):
        service_to_hsds(bloom.services[0], other, NOW, STALE_AFTER)


def test_a_broken_record_yields_errors_naming_the_path(services: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(service_named(services, "willow-psychiatry-medication"))
    del broken["name"]
    broken["capacities"][0]["available"] = "3"
    broken["organization"]["id"] = "not-a-uuid"
    broken["service_at_locations"][0]["location"]["addresses"][0]["address_type"] = "home"
    broken["url"] = "example.org/no-scheme"
    broken["capacities"][0]["updated"] = "2025-03-10 09:00"
    errors = validate_record("service", broken)
    assert errors == sorted(errors)
    expected = [
        "$: 'name' is a required property",
        "$.capacities[0].available: '3' is not of type 'number'",
        "$.organization.id: 'not-a-uuid' is not a 'uuid'",
        "$.service_at_locations[0].location.addresses[0].address_type: 'home' is not one of",
        "$.url: 'example.org/no-scheme' is not a 'uri'",
        "$.capacities[0].updated: '2025-03-10 09:00' is not a 'date-time'",
    ]
    for message in expected:
        assert any(error.startswith(message) for error in errors), (message, errors)
    assert len(errors) == len(expected)


def test_fields_outside_hsds_3_1_are_reported(services: list[dict[str, Any]]) -> None:
    extended = copy.deepcopy(services[0])
    extended["wait_list"] = 3
    extended["capacities"][0]["unit"]["plural"] = "intake slots"
    assert validate_record("service", extended) == [
        "$.capacities[0].unit.plural: not a field of HSDS 3.1 unit",
        "$.wait_list: not a field of HSDS 3.1 service",
    ]
    assert validate_record("service", extended, allow_extensions=True) == []
    page = paging.page([one_to_one(extended)], 1, 1, 1) | {"next": "?page=2"}
    assert validate_page("/services", page) == [
        "$.contents[0].wait_list: not a field of HSDS 3.1 service",
        "$.next: not a field of the HSDS Page",
    ]
    assert validate_page("/services", page, allow_extensions=True) == []
