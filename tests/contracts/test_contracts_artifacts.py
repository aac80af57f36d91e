"""The checked-in artifacts: current, well formed, and compatible with every released version."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from contracts import EventPayload, generate
from contracts.asyncapi import channel_id, message_id
from contracts.compat import breaking_changes
from contracts.registry import EVENTS
from contracts.topics import TOPICS

CONTRACTS = generate.CONTRACTS_DIR
RELEASED = sorted((CONTRACTS / generate.RELEASED).glob("*.json"))


def _asyncapi() -> dict[str, Any]:
    return json.loads((CONTRACTS / "asyncapi.json").read_text(encoding="utf-8"))


def test_schemas_are_current() -> None:
    stale = generate.stale_files()
    assert stale == [], f"generated contracts are out of date: {stale}; run `make contracts`"


def test_generation_is_deterministic(tmp_path: Path) -> None:
    assert sorted(generate.write(tmp_path)) == sorted(generate.render())
    first = {p.name: p.read_bytes() for p in tmp_path.rglob("*.json")}
    assert generate.write(tmp_path) == []
    assert {p.name: p.read_bytes() for p in tmp_path.rglob("*.json")} == first
    for path, text in generate.render().items():
        assert text.endswith("}\n" if path.endswith(".json") else "\n"), path


def test_release_never_overwrites(tmp_path: Path) -> None:
    generate.write(tmp_path)
    released = generate.release(tmp_path)
    assert "released/ScreenPositive.v1.json" in released
    frozen = tmp_path / "released" / "ScreenPositive.v1.json"
    frozen.write_text("{}\n", encoding="utf-8")
    assert generate.release(tmp_path) == []
    assert frozen.read_text(encoding="utf-8") == "{}\n"


def test_every_event_version_is_released() -> None:
    names = {path.name for path in RELEASED}
    assert {f"{t}.v{v}.json" for t, v in EVENTS} | {"envelope.json"} <= names


@pytest.mark.parametrize("released", RELEASED, ids=[path.name for path in RELEASED])
def test_released_versions_compatible(released: Path) -> None:
    current = CONTRACTS / generate.SCHEMAS / released.name
    assert current.is_file(), f"{released.name} was released but is no longer generated"
    problems = breaking_changes(
        json.loads(released.read_text(encoding="utf-8")),
        json.loads(current.read_text(encoding="utf-8")),
    )
    assert problems == [], (
        f"{released.name}: breaking changes {problems}; publish a new VERSION alongside instead"
    )


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_asyncapi_shape() -> None:
    doc = _asyncapi()
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["defaultContentType"] == "application/json"
    assert {channel["address"] for channel in doc["channels"].values()} == {t.name for t in TOPICS}
    for ref in _refs(doc):  # every local reference resolves
        _resolve(doc, ref)
    for row in TOPICS:
        channel = doc["channels"][channel_id(row)]
        actions = {
            (op["action"], name.split(".")[0])
            for name, op in doc["operations"].items()
            if op["channel"]["$ref"] == f"#/channels/{channel_id(row)}"
        }
        expected = {("send", s) for s in row.producers} | {("receive", s) for s in row.consumers}
        assert actions == expected, row.name
        for event in row.events:
            assert any(key.startswith(f"{event}.v") for key in channel["messages"]), event


def test_asyncapi_messages_wrap_event_schemas() -> None:
    doc = _asyncapi()
    for cls in EVENTS.values():
        message = doc["components"]["messages"][message_id(cls)]
        envelope_ref, narrowed = message["payload"]["allOf"]
        assert envelope_ref == {"$ref": "#/components/schemas/Envelope"}
        assert narrowed["properties"]["type"] == {"const": cls.TYPE}
        assert _resolve(doc, narrowed["properties"]["data"]["$ref"])["title"] == cls.__name__
        headers = _resolve(doc, message["headers"]["$ref"])["properties"]
        assert {"traceparent", "event_type", "event_version"} <= set(headers)


@pytest.mark.skipif(importlib.util.find_spec("jsonschema") is None, reason="jsonschema missing")
def test_event_schemas_are_valid_draft_2020_12(
    samples: dict[tuple[str, int], EventPayload],
) -> None:
    import jsonschema

    for path in sorted((CONTRACTS / generate.SCHEMAS).glob("*.json")):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))
    for (type_, version), payload in samples.items():
        schema_file = CONTRACTS / generate.SCHEMAS / f"{type_}.v{version}.json"
        schema = json.loads(schema_file.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(payload.model_dump(mode="json"))
