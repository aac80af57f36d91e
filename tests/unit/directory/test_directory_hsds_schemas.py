"""The vendored HSDS 3.1 files: Open Referral's own, unedited, resolving offline."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import _WrappedReferencingError

from services.directory.hsds.adapters.validate import (
    BASE_URI,
    SCHEMA_DIR,
    format_checker,
    registry,
    response_schema_uri,
    schema,
    validate_record,
)

FILES = sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("compiled/*.json"))
OBJECTS = [path.stem for path in SCHEMA_DIR.glob("*.json") if path.stem != "openapi"]
PAGE = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty"]
LIST_PATHS = ["/services", "/organizations", "/taxonomies", "/taxonomy_terms"]

# Required fields of HSDS 3.1 (schema/*.json "required"; tabular_required is not enforced in JSON).
REQUIRED = {
    "organization": ["id", "name", "description"],
    "service": ["id", "name", "status"],
    "location": ["id", "location_type"],
    "service_at_location": ["id"],
    "address": ["id", "address_1", "city", "state_province", "postal_code", "country",
                "address_type"],
    "phone": ["id", "number"],
    "schedule": ["id"],
    "language": ["id"],
    "service_area": ["id"],
    "cost_option": ["id"],
    "funding": ["id"],
    "attribute": ["id"],
    "taxonomy_term": ["id", "name", "description"],
    "taxonomy": ["id", "name", "description"],
    "service_capacity": ["id", "unit", "available", "updated"],
    "unit": ["id", "name"],
    "url": ["id", "url"],
}  # fmt: skip
ENUMS = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): ["physical", "postal", "virtual"],
    ("address", "address_type"): ["physical", "postal", "virtual"],
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
    ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
}
NUMBERS = {
    "service_capacity": ["available", "maximum"],
    "location": ["latitude", "longitude"],
    "schedule": ["timezone", "count", "interval"],
    "service": ["minimum_age", "maximum_age"],
    "cost_option": ["amount"],
    "phone": ["extension"],
}
FORMATS = {
    ("service", "url"): "uri",
    ("service", "email"): "email",
    ("organization", "website"): "uri",
    ("service_capacity", "updated"): "date-time",
    ("service", "last_modified"): "date-time",
    ("schedule", "schedule_link"): "uri",
}


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_the_files_are_those_the_readme_hashes() -> None:
    readme = (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+\.json)` \| `([0-9a-f]{64})` \|$", readme, re.M))
    on_disk = {
        path.relative_to(SCHEMA_DIR).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in FILES
    }
    assert listed == on_disk


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_ref_resolves_offline(path: Path) -> None:
    contents = json.loads(path.read_text(encoding="utf-8"))
    if path.stem != "openapi":
        Draft202012Validator.check_schema(contents)
    resolver = registry().resolver(BASE_URI + path.relative_to(SCHEMA_DIR).as_posix())
    for ref in refs(contents):
        if ref not in {
            BASE_URI + "compiled/service.json",  # not vendored: too big (README)
            BASE_URI + "compiled/organization.json",
        }:
            assert resolver.lookup(ref).contents, ref


def test_what_is_not_vendored_is_refused_not_fetched() -> None:
    with pytest.raises(_WrappedReferencingError, match=r"compiled/service\.json"):
        validate_record("compiled/service", {})


def test_pages_are_the_published_page_with_contents() -> None:
    assert list(schema("openapi")["components"]["schemas"]["Page"]["properties"]) == PAGE
    for path in LIST_PATHS:
        response = registry().resolver().lookup(response_schema_uri(path)).contents
        assert response["allOf"] == [{"$ref": "#/components/schemas/Page"}]
        assert response["properties"]["contents"]["type"] == "array"


def test_every_object_the_export_uses_is_published() -> None:
    assert set(REQUIRED) <= set(OBJECTS)


@pytest.mark.parametrize(("name", "required"), REQUIRED.items())
def test_required_fields_are_those_of_hsds_3_1(name: str, required: list[str]) -> None:
    assert schema(name)["required"] == required


def test_enums_numbers_and_formats_are_those_of_hsds_3_1() -> None:
    for (name, field), values in ENUMS.items():
        assert schema(name)["properties"][field]["enum"] == values
    for name, fields in NUMBERS.items():
        for field in fields:
            assert schema(name)["properties"][field]["type"] == "number", (name, field)
    for (name, field), fmt in FORMATS.items():
        assert schema(name)["properties"][field]["format"] == fmt, (name, field)


@pytest.mark.parametrize("name", OBJECTS)
def test_every_identifier_is_a_uuid(name: str) -> None:
    for field, spec in schema(name)["properties"].items():
        if field == "id" or (field.endswith("_id") and field != "tax_id"):
            assert (spec["type"], spec["format"]) == ("string", "uuid"), (name, field)


def validator(name: str) -> Any:
    return Draft202012Validator(
        {"$ref": f"{BASE_URI}{name}.json"}, registry=registry(), format_checker=format_checker()
    )


def test_a_minimal_capacity_validates_and_its_required_fields_are_enforced() -> None:
    capacity: dict[str, Any] = {
        "id": "8896b788-7b3e-11ef-8db9-7f3d040352b3",
        "unit": {"id": "187a37a2-7b40-11ef-9790-dbf7623d4407", "name": "intake slot"},
        "available": 2,
        "updated": "2025-03-10T09:00:00.000Z",
    }
    assert list(validator("service_capacity").iter_errors(capacity)) == []
    for field in ("id", "unit", "available", "updated"):
        errors = list(validator("service_capacity").iter_errors(
            {k: v for k, v in capacity.items() if k != field}
        ))  # fmt: skip
        assert [e.message for e in errors] == [f"{field!r} is a required property"]
    del capacity["unit"]["name"]
    assert [e.json_path for e in validator("service_capacity").iter_errors(capacity)] == ["$.unit"]


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uuid", "ac148810-d857-441c-9679-408f346de14b", "ac148810d857441c9679408f346de14b"),
        ("uri", "https://bloom-therapy.example.org/refer", "https:///no-host"),
        ("email", "intake@bloom-therapy.example.org", "intake at bloom"),
        ("date-time", "2025-03-10T09:00:00-05:00", "2025-03-10T09:00:00"),
    ],
)
def test_format_checks(fmt: str, good: str, bad: str) -> None:
    checker = format_checker()
    assert checker.conforms(good, fmt)
    assert not checker.conforms(bad, fmt)
    assert checker.conforms(42, fmt)  # formats constrain strings only
