"""The breaking-change detector, on hand-made schema pairs and on real models."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel

from contracts.compat import breaking_changes
from contracts.registry import EVENTS
from contracts.schemas_build import event_schema


class _Inner(BaseModel):
    code: Literal["a", "b"]


class _V1(BaseModel):
    referral_id: str
    count: int
    inner: _Inner
    when: str | None = None


def _v1() -> dict[str, Any]:
    return _V1.model_json_schema()


def test_identical_schemas_are_compatible() -> None:
    for cls in EVENTS.values():
        assert breaking_changes(event_schema(cls), event_schema(cls)) == []


def test_adding_an_optional_field_is_not_breaking() -> None:
    class Added(_V1):
        extra_flag: bool = False
        maybe: int | None = None

    assert breaking_changes(_v1(), Added.model_json_schema()) == []


def test_removed_field_is_breaking() -> None:
    new = _v1()
    del new["properties"]["count"]
    new["required"].remove("count")
    assert breaking_changes(_v1(), new) == ["count: property removed"]


def test_retyped_field_is_breaking() -> None:
    class Retyped(BaseModel):
        referral_id: str
        count: str
        inner: _Inner
        when: str | None = None

    assert breaking_changes(_v1(), Retyped.model_json_schema()) == [
        'count: type changed from ["integer"] to ["string"]'
    ]


def test_new_required_field_is_breaking() -> None:
    class Required(_V1):
        site_id: str

    class NowRequired(BaseModel):
        referral_id: str
        count: int
        inner: _Inner
        when: str | None

    assert breaking_changes(_v1(), Required.model_json_schema()) == ["site_id: newly required"]
    assert breaking_changes(_v1(), NowRequired.model_json_schema()) == ["when: newly required"]


def test_enum_and_const_changes_through_refs_are_breaking() -> None:
    narrowed = _v1()
    narrowed["$defs"]["_Inner"]["properties"]["code"]["enum"] = ["a"]
    assert breaking_changes(_v1(), narrowed) == ['inner.code: enum values removed: "b"']
    widened = _v1()
    widened["$defs"]["_Inner"]["properties"]["code"]["enum"] = ["a", "b", "c"]
    assert any("values added" in p and '"c"' in p for p in breaking_changes(_v1(), widened))
    const = {"properties": {"kind": {"const": "x"}}}
    assert breaking_changes(const, {"properties": {"kind": {"const": "y"}}}) == [
        'kind: const changed from "x" to "y"'
    ]


def test_format_and_bounds_changes_are_breaking() -> None:
    old = {
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "n": {"type": "integer", "maximum": 30},
        }
    }
    new = copy.deepcopy(old)
    new["properties"]["at"]["format"] = "date"
    new["properties"]["n"]["maximum"] = 27
    assert breaking_changes(old, new) == [
        'at: format changed from "date-time" to "date"',
        "n: maximum changed from 30 to 27",
    ]


def test_anyof_members_are_compared() -> None:
    new = _v1()
    new["properties"]["when"]["anyOf"] = [{"type": "string"}]
    problems = breaking_changes(_v1(), new)
    assert len(problems) == 1 and problems[0].startswith("when: anyOf member removed")
    new["properties"]["when"]["anyOf"] = [{"type": "string"}, {"type": "null"}, {"type": "integer"}]
    assert breaking_changes(_v1(), new)[0].startswith("when: anyOf member added")


def test_renamed_definition_with_same_content_is_compatible() -> None:
    new = _v1()
    new["$defs"]["Renamed"] = new["$defs"].pop("_Inner")
    new["properties"]["inner"]["$ref"] = "#/$defs/Renamed"
    assert breaking_changes(_v1(), new) == []
    new["$defs"]["Renamed"]["properties"]["code"]["type"] = "integer"
    assert breaking_changes(_v1(), new) == [
        'inner.code: type changed from ["string"] to ["integer"]'
    ]


def test_recursive_definitions_terminate() -> None:
    class Node(BaseModel):
        label: str
        children: list[Node] = []

    old = Node.model_json_schema()
    assert breaking_changes(old, copy.deepcopy(old)) == []
    new = copy.deepcopy(old)
    del new["$defs"]["Node"]["properties"]["label"]
    assert "children[].label: property removed" not in breaking_changes(old, new)  # reported once
    assert "label: property removed" in breaking_changes(old, new)
