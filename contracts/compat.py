"""Detect breaking changes between two JSON Schemas of the same event version.

The rule for a released version: every field that exists keeps exactly the set of valid values it
had, and only optional fields may be added. Old consumers validate strictly (a widened enum or
type is rejected by them) and new consumers may read old events (replayed from an outbox), so a
change in either direction is breaking. Breaking changes go into a new VERSION instead.

Reported: a removed property; a changed type, format, const, enum, pattern or bound; an added or
removed anyOf/oneOf/allOf member; a property newly in "required". ``$ref`` targets are resolved
(``#/...`` pointers inside each document) and compared by content, with a guard against cycles.
"""

from __future__ import annotations

import json
from typing import Any

_VALUE_KEYWORDS = (
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
)
_COMBINATORS = ("anyOf", "oneOf", "allOf")


def breaking_changes(old_schema: dict[str, Any], new_schema: dict[str, Any]) -> list[str]:
    """Human-readable breaking changes from ``old_schema`` to ``new_schema`` (empty: compatible)."""
    diff = _SchemaDiff(old_schema, new_schema)
    diff.compare(old_schema, new_schema, "")
    return diff.problems


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` chains; keywords beside a ``$ref`` are kept (draft 2020-12 semantics)."""
    hops = 0
    while "$ref" in node and hops < 32:  # a pure ref-to-ref loop is malformed; stop anyway
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise ValueError(f"only local $ref is supported, got {ref!r}")
        target: Any = root
        for part in ref.lstrip("#").strip("/").split("/") if ref != "#" else []:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node = {**target, **siblings}
        hops += 1
    return node


def _types(node: dict[str, Any]) -> frozenset[str] | None:
    declared = node.get("type")
    if declared is None:
        return None
    return frozenset([declared] if isinstance(declared, str) else declared)


def _signature(node: dict[str, Any]) -> str:
    """What a union member is, for matching members across versions."""
    if "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    shape = {key: node[key] for key in ("type", "const", "format", "enum") if key in node}
    return json.dumps(shape, sort_keys=True)


def _show(values: Any) -> str:
    return json.dumps(sorted(values, key=str) if isinstance(values, set | frozenset) else values)


class _SchemaDiff:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any]) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.problems: list[str] = []
        self._compared_refs: set[tuple[str, str]] = set()

    def _report(self, path: str, problem: str) -> None:
        self.problems.append(f"{path or '(root)'}: {problem}")

    def compare(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        if "$ref" in old and "$ref" in new:
            pair = (str(old["$ref"]), str(new["$ref"]))
            if pair in self._compared_refs:  # cycle, or a definition already compared
                return
            self._compared_refs.add(pair)
        old, new = _resolve(self.old_root, old), _resolve(self.new_root, new)
        self._compare_values(old, new, path)
        self._compare_properties(old, new, path)
        if "items" in old or "items" in new:
            if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
                self.compare(old["items"], new["items"], f"{path}[]")
            else:
                self._report(path, "array items changed")
        for keyword in _COMBINATORS:
            if keyword in old or keyword in new:
                self._compare_members(keyword, old.get(keyword, []), new.get(keyword, []), path)

    def _compare_values(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            shown = [_show(types) if types else "unspecified" for types in (old_types, new_types)]
            self._report(path, f"type changed from {shown[0]} to {shown[1]}")
        if ("const" in old or "const" in new) and old.get("const") != new.get("const"):
            self._report(
                path, f"const changed from {_show(old.get('const'))} to {_show(new.get('const'))}"
            )
        if "enum" in old or "enum" in new:
            self._compare_enum(old.get("enum"), new.get("enum"), path)
        for keyword in _VALUE_KEYWORDS:
            if old.get(keyword) != new.get(keyword):
                before, after = _show(old.get(keyword)), _show(new.get(keyword))
                self._report(path, f"{keyword} changed from {before} to {after}")

    def _compare_enum(self, old: list[Any] | None, new: list[Any] | None, path: str) -> None:
        if old is None or new is None:
            self._report(path, "enum added" if old is None else "enum removed")
            return
        removed = {json.dumps(value) for value in old} - {json.dumps(value) for value in new}
        added = {json.dumps(value) for value in new} - {json.dumps(value) for value in old}
        if removed:
            self._report(path, f"enum values removed: {', '.join(sorted(removed))}")
        if added:
            self._report(
                path,
                f"enum values added (rejected by existing consumers): {', '.join(sorted(added))}",
            )

    def _compare_properties(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        old_properties: dict[str, Any] = old.get("properties", {})
        new_properties: dict[str, Any] = new.get("properties", {})
        for name, old_property in old_properties.items():
            where = f"{path}.{name}" if path else name
            if name not in new_properties:
                self._report(where, "property removed")
            else:
                self.compare(old_property, new_properties[name], where)
        for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
            self._report(f"{path}.{name}" if path else name, "newly required")

    def _compare_members(
        self, keyword: str, old: list[dict[str, Any]], new: list[dict[str, Any]], path: str
    ) -> None:
        old_members = {_signature(member): member for member in old}
        new_members = {_signature(member): member for member in new}
        for signature in sorted(old_members.keys() - new_members.keys()):
            self._report(path, f"{keyword} member removed: {signature}")
        for signature in sorted(new_members.keys() - old_members.keys()):
            self._report(path, f"{keyword} member added: {signature}")
        for signature in sorted(old_members.keys() & new_members.keys()):
            self.compare(old_members[signature], new_members[signature], path)
