"""Our transcription of the HSDS 3.1 JSON schemas: well-formed, self-contained, and as published."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from services.directory.hsds.adapters.validate import (
    BASE_URI,
    SCHEMA_DIR,
    format_checker,
    registry,
    schema,
)

FILES = sorted(SCHEMA_DIR.glob("*.json"))
OBJECTS = [path.stem for path in FILES if path.stem != "export"]

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


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_schema_files_are_draft_2020_12_with_their_own_id(path: Path) -> None:
    contents = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(contents)
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert contents["$id"] == f"{BASE_URI}{path.name}"
    for ref in refs(contents):
        assert (SCHEMA_DIR / ref).is_file(), ref


def test_every_object_the_brief_names_is_transcribed() -> None:
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
            assert spec == {"type": "string", "format": "uuid"}, (name, field)


def validator(name: str) -> Any:
    return Draft202012Validator(schema(name), registry=registry(), format_checker=format_checker())


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
        ("date", "2025-03-10", "2025-3-10"),
        ("date-time", "2025-03-10T09:00:00-05:00", "2025-03-10T09:00:00"),
    ],
)
def test_format_checks(fmt: str, good: str, bad: str) -> None:
    checker = format_checker()
    assert checker.conforms(good, fmt)
    assert not checker.conforms(bad, fmt)
    assert checker.conforms(42, fmt)  # formats constrain strings only
