"""HSDS 3.1 export of the demo region: valid against 3.1, stable, honest about staleness."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.directory.domain.model import Coverage, Organization, OrgStatus
from services.directory.hsds.adapters.validate import validate_export
from services.directory.hsds.domain.export import (
    export_directory,
    organization_to_hsds,
    service_to_hsds,
)
from services.directory.hsds.domain.ids import hsds_id
from tools.dev.region import load_region

NOW = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # daylight saving time in Chicago (UTC-5)
STALE_AFTER = timedelta(days=7)
SHARED = {"taxonomy_term", "taxonomy_detail", "unit"}  # the same term or unit, repeated by design


@pytest.fixture(scope="module")
def orgs() -> list[Organization]:
    return load_region(now=NOW)


@pytest.fixture(scope="module")
def export(orgs: list[Organization]) -> dict[str, list[dict[str, Any]]]:
    return export_directory(orgs, NOW, STALE_AFTER)


def service_named(export: dict[str, Any], our_id: str) -> dict[str, Any]:
    uuid = hsds_id("service", our_id)
    found: dict[str, Any] = next(s for s in export["services"] if s["id"] == uuid)
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


def test_the_demo_export_is_valid_hsds_3_1(export: dict[str, Any]) -> None:
    assert validate_export(export) == []


def test_export_has_one_list_per_object(orgs: list[Organization], export: dict[str, Any]) -> None:
    assert set(export) == {"organizations", "services", "locations", "service_at_locations"}
    assert len(export["organizations"]) == len(orgs)
    assert len(export["services"]) == sum(len(org.services) for org in orgs)
    assert len(export["locations"]) == sum(len(org.locations) for org in orgs)
    links = sum(len(s.location_ids) for org in orgs for s in org.services)
    assert len(export["service_at_locations"]) == links


def test_links_point_at_exported_records(export: dict[str, Any]) -> None:
    org_ids = {org["id"] for org in export["organizations"]}
    service_ids = {service["id"] for service in export["services"]}
    location_ids = {location["id"] for location in export["locations"]}
    assert {service["organization_id"] for service in export["services"]} <= org_ids
    assert {location["organization_id"] for location in export["locations"]} <= org_ids
    for link in export["service_at_locations"]:
        assert link["service_id"] in service_ids and link["location_id"] in location_ids


def test_every_record_id_is_unique(export: dict[str, Any]) -> None:
    ids = list(record_ids(export))
    assert len(ids) > 500
    assert len(ids) == len(set(ids))


def test_ids_are_stable(orgs: list[Organization], export: dict[str, Any]) -> None:
    assert export_directory(list(reversed(orgs)), NOW, STALE_AFTER) == export
    assert hsds_id("organization", "bloom-therapy") == hsds_id("organization", "bloom-therapy")
    # Pinned: a change here changes every published UUID.
    assert hsds_id("organization", "bloom-therapy") == "9a9767ea-1555-5f0a-8af0-2f8ee0527cce"
    assert hsds_id("location", "bloom-therapy") != hsds_id("organization", "bloom-therapy")
    bloom = next(org for org in export["organizations"] if org["name"] == "Bloom Perinatal Therapy")
    assert bloom["id"] == hsds_id("organization", "bloom-therapy")
    with pytest.raises(ValueError, match="unknown HSDS record kind"):
        hsds_id("servcie", "bloom-therapy")


def test_stale_capacity_is_marked(export: dict[str, Any]) -> None:
    stale = service_named(export, "oak-hollow-therapy")
    capacity = stale["capacities"][0]
    assert "capacity-stale" in codes(stale)
    assert "capacity-stale" in codes(capacity)
    assert capacity["description"].startswith("STALE: not confirmed for 20 days")
    assert capacity["updated"] == "2025-02-18T15:00:00.000Z"  # the verification, not the export
    assert "not recently confirmed" in stale["alert"]
    fresh = service_named(export, "bloom-therapy-outpatient")
    assert "capacity-stale" not in codes(fresh)
    assert "STALE" not in fresh["capacities"][0]["description"]
    stale_services = [s for s in export["services"] if "capacity-stale" in codes(s)]
    assert len(stale_services) == 1


def test_capacity_is_hsds_service_capacity(export: dict[str, Any]) -> None:
    capacity = service_named(export, "willow-psychiatry-medication")["capacities"][0]
    assert capacity["unit"]["name"] == "intake slot"
    assert (capacity["available"], capacity["maximum"]) == (0, 4)
    flags = codes(capacity)
    assert flags["next-available-intake"] == "2025-03-22"
    assert flags["accepting-new-patients"] == "true"
    full = codes(service_named(export, "new-leaf-postpartum")["capacities"][0])
    assert full["accepting-new-patients"] == "false" and full["waitlist-length"] == "9"
    assert "next-available-intake" not in full


def test_perinatal_facts_travel_as_attributes(export: dict[str, Any]) -> None:
    bloom = codes(service_named(export, "bloom-therapy-outpatient"))
    assert {"level_of_care:outpatient_therapy", "pmh-c", "infant-welcome"} <= set(bloom)
    assert {"modality:in_person", "modality:telehealth", "population:pregnant"} <= set(bloom)
    assert bloom["population:postpartum"] == "12"
    attribute = service_named(export, "st-mary-php")["attributes"][0]
    assert attribute["taxonomy_term"]["taxonomy"] == "warmlink-perinatal"
    assert attribute["link_entity"] == "service" and attribute["link_id"] == hsds_id(
        "service", "st-mary-php"
    )


def test_telehealth_states_are_service_areas(export: dict[str, Any]) -> None:
    lantern = service_named(export, "lantern-telehealth-therapy")
    assert [area["extent"] for area in lantern["service_areas"]] == ["US-IL", "US-IN", "US-WI"]
    assert lantern["service_areas"][1]["name"] == "Indiana (telehealth)"
    assert service_named(export, "new-leaf-postpartum")["service_areas"] == []


def test_languages_phones_and_costs(export: dict[str, Any]) -> None:
    polish = service_named(export, "przystan-perinatal")
    assert {(lang["code"], lang["name"]) for lang in polish["languages"]} == {
        ("en", "English"),
        ("pl", "Polish"),
    }
    fqhc = service_named(export, "eastbrook-fqhc-therapy")
    options = [option["option"] for option in fqhc["cost_options"]]
    assert options[:2] == ["Sliding scale", "Medicaid"]
    assert "Insurance: Blue Cross and Blue Shield of Illinois" in options
    assert [f["source"] for f in fqhc["funding"]] == ["Medicaid reimbursement"]
    assert fqhc["phones"][0]["number"].startswith("(773) 555-01")


def test_schedules_use_the_3_1_fields(orgs: list[Organization], export: dict[str, Any]) -> None:
    lantern = service_named(export, "lantern-telehealth-therapy")["schedules"]
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in lantern] == [
        ("MO,TU,WE,TH,FR", "08:00-05:00", "20:00-05:00"),
        ("SA", "09:00-05:00", "13:00-05:00"),
    ]
    assert {(s["freq"], s["wkst"], s["timezone"]) for s in lantern} == {("WEEKLY", "MO", -5)}
    winter = export_directory(orgs, datetime(2025, 1, 15, 15, tzinfo=UTC), STALE_AFTER)
    first = service_named(winter, "lantern-telehealth-therapy")["schedules"][0]
    assert (first["timezone"], first["opens_at"]) == (-6, "08:00-06:00")


def test_suspended_organization_exports_inactive_services(orgs: list[Organization]) -> None:
    bloom = next(org for org in orgs if org.id == "bloom-therapy")
    suspended = replace(bloom, status=OrgStatus.SUSPENDED)
    service = service_to_hsds(suspended.services[0], suspended, NOW, STALE_AFTER)
    assert service["status"] == "inactive"
    assert "organization-suspended" in codes(organization_to_hsds(suspended))
    assert validate_export(export_directory([suspended], NOW, STALE_AFTER)) == []


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


def test_a_broken_export_yields_errors_naming_the_path(export: dict[str, Any]) -> None:
    broken = copy.deepcopy(export)
    del broken["services"][0]["name"]
    broken["services"][0]["capacities"][0]["available"] = "3"
    broken["organizations"][1]["id"] = "not-a-uuid"
    broken["locations"][0]["addresses"][0]["address_type"] = "home"
    broken["services"][2]["url"] = "example.org/no-scheme"
    broken["services"][3]["capacities"][0]["updated"] = "2025-03-10 09:00"
    errors = validate_export(broken)
    assert errors == sorted(errors)
    expected = [
        "$.services[0]: 'name' is a required property",
        "$.services[0].capacities[0].available: '3' is not of type 'number'",
        "$.organizations[1].id: 'not-a-uuid' is not a 'uuid'",
        "$.locations[0].addresses[0].address_type: 'home' is not one of",
        "$.services[2].url: 'example.org/no-scheme' is not a 'uri'",
        "$.services[3].capacities[0].updated: '2025-03-10 09:00' is not a 'date-time'",
    ]
    for message in expected:
        assert any(error.startswith(message) for error in errors), (message, errors)
    assert len(errors) == len(expected)


def test_fields_outside_hsds_3_1_are_reported(export: dict[str, Any]) -> None:
    extended = copy.deepcopy(export)
    extended["services"][0]["wait_list"] = 3
    extended["services"][0]["capacities"][0]["unit"]["plural"] = "intake slots"
    assert validate_export(extended) == [
        "$.services[0].capacities[0].unit.plural: not a field of HSDS 3.1 unit",
        "$.services[0].wait_list: not a field of HSDS 3.1 service",
    ]
    assert validate_export(extended, allow_extensions=True) == []
    extended["extras"] = []
    assert validate_export(extended, allow_extensions=True) == [
        "$: Additional properties are not allowed ('extras' was unexpected)"
    ]
