"""Validate an HSDS export against our transcription of the HSDS 3.1 JSON schemas.

The schemas live in the part's ``assets/`` (one file per HSDS object, ``$ref``-ing each other
by file name, plus ``export.json`` for the four top-level lists) and are resolved through a
``referencing`` registry, never over the network. Formats (uuid, uri, email, date, date-time)
are checked by the checkers below so the result does not depend on which optional jsonschema
extras are installed.

``validate_export`` also reports fields HSDS 3.1 does not define (HSDS tolerates extensions;
Warmlink's export promises not to use any), unless ``allow_extensions=True``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "assets"
BASE_URI = "https://schemas.warmlink.example.org/hsds/3.1/"
EXPORT_SCHEMA = BASE_URI + "export.json"

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats only constrain strings; "type" catches the rest
    if not _UUID.match(value):
        return False
    uuid.UUID(value)
    return True


def _is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986): a scheme, no whitespace, and for http(s) a host."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    if not parts.scheme or not _SCHEME.match(parts.scheme) or any(c.isspace() for c in value):
        return False
    return bool(parts.netloc) if parts.scheme in {"http", "https"} else True


def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain and not any(c.isspace() for c in value))


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time: a "T" between date and time and an explicit offset or Z."""
    if not isinstance(value, str) or len(value) < 20:
        return not isinstance(value, str)
    if value[10] not in "Tt":
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def format_checker() -> Any:
    """A jsonschema FormatChecker for the formats HSDS 3.1 uses (plus ``date``)."""
    checker = FormatChecker(formats=())
    for name, check in (
        ("uuid", _is_uuid),
        ("uri", _is_uri),
        ("email", _is_email),
        ("date", _is_date),
        ("date-time", _is_date_time),
    ):
        checker.checks(name, raises=(ValueError,))(check)
    return checker


@cache
def registry() -> Registry[Any]:
    """Every schema in ``assets/`` under its ``$id``."""
    resources: list[tuple[str, Resource[Any]]] = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def schema(name: str) -> Mapping[str, Any]:
    """The schema of one HSDS object ("service", "service_capacity"...) or "export"."""
    contents: Mapping[str, Any] = registry().contents(f"{BASE_URI}{name}.json")
    return contents


def _unknown_fields(
    instance: object, node: Mapping[str, Any], base: str, path: str
) -> Iterator[str]:
    while "$ref" in node:
        base = urljoin(base, node["$ref"])
        node = registry().contents(base)
    if isinstance(instance, Mapping):
        properties: Mapping[str, Any] = node.get("properties", {})
        title = node.get("title", "object")
        for key, value in instance.items():
            if key not in properties:
                yield f"{path}.{key}: not a field of HSDS 3.1 {title}"
            else:
                yield from _unknown_fields(value, properties[key], base, f"{path}.{key}")
    elif isinstance(instance, list) and "items" in node:
        for index, item in enumerate(instance):
            yield from _unknown_fields(item, node["items"], base, f"{path}[{index}]")


def validate_export(export: Mapping[str, Any], *, allow_extensions: bool = False) -> list[str]:
    """Every problem with ``export``, as ``"<JSON path>: <message>"``, sorted; empty when valid."""
    validator = Draft202012Validator(
        schema("export"), registry=registry(), format_checker=format_checker()
    )
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(export)]
    if not allow_extensions:
        errors += _unknown_fields(export, schema("export"), EXPORT_SCHEMA, "$")
    return sorted(errors)
