"""Schema checks that keep patient identity and free text out of events.

Events are immutable and widely read, so they carry identifiers and clinical minimums only. Two
checks run over every JSON Schema (tests and ``python -m contracts.generate`` both use them):

* property names that suggest PHI (names, phone, email, address, birth date, SSN, MRN, notes...);
* string properties with no enum, const, format or pattern: free text in disguise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Matched anywhere in a property name.
_PHI_SUBSTRINGS = (
    "phone",
    "email",
    "address",
    "birth",
    "ssn",
    "social_security",
    "medical_record",
    "comment",
    "note",
    "free_text",
    "narrative",
    "surname",
)
# Matched against the name's snake_case words (so "context" is not "text").
_PHI_WORDS = frozenset(
    {"dob", "mrn", "mail", "text", "zip", "street", "city", "fax", "memo", "remark", "remarks"}
)
# "name" is PHI unless the field is an identifier or code *for* something named.
_NAME_EXEMPT_SUFFIXES = ("_id", "_code")


def is_phi_like(property_name: str) -> bool:
    """True if a property name suggests it could hold PHI or free text about a patient."""
    lowered = property_name.lower()
    if any(part in lowered for part in _PHI_SUBSTRINGS):
        return True
    if _PHI_WORDS.intersection(lowered.split("_")):
        return True
    return "name" in lowered and not lowered.endswith(_NAME_EXEMPT_SUFFIXES)


def _properties(schema: Any, path: str = "") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, property name, property schema) for every property, nested ones included."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for name, subschema in value.items():
                    yield f"{path}.{name}".lstrip("."), name, subschema
                    yield from _properties(subschema, f"{path}.{name}")
            elif key == "$defs" and isinstance(value, dict):
                for definition, subschema in value.items():
                    yield from _properties(subschema, definition)
            else:
                yield from _properties(value, path)
    elif isinstance(schema, list):
        for item in schema:
            yield from _properties(item, path)


def phi_like_properties(schema: dict[str, Any]) -> list[str]:
    """Paths of properties whose names look like PHI."""
    return sorted({path for path, name, _ in _properties(schema) if is_phi_like(name)})


def _is_free_string(node: Any) -> bool:
    if not isinstance(node, dict) or node.get("type") != "string":
        return False
    return not any(key in node for key in ("enum", "const", "format", "pattern"))


def _free_strings(node: Any) -> bool:
    """True if the node, or any member or item of it, is an unconstrained string."""
    if _is_free_string(node):
        return True
    if isinstance(node, dict):
        members = [*node.get("anyOf", []), *node.get("oneOf", []), *node.get("allOf", [])]
        if "items" in node:
            members.append(node["items"])
        return any(_free_strings(member) for member in members)
    return False


def free_text_properties(schema: dict[str, Any]) -> list[str]:
    """Paths of string properties that accept arbitrary text (no enum/const/format/pattern)."""
    return sorted({path for path, _, node in _properties(schema) if _free_strings(node)})
