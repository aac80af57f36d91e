"""Validate HSDS records and API pages against Open Referral's published HSDS 3.1 files.

The files in the part's ``assets/`` are the specification's own ``schema/*.json``,
``schema/compiled/*_list.json`` and ``schema/openapi.json``, unchanged (see its README). They
have no ``$id``: an object schema names another by file name (``"$ref": "phone.json"``) and the
OpenAPI document names them by their raw.githubusercontent.com address. ``referencing`` resolves
every such URI by the path after ``/schema/``, from ``assets/``, never over the network. The
OpenAPI document declares JSON Schema 2020-12 as its dialect; the object files declare none, so
they are read as 2020-12 too. Formats (uuid, uri, email, date-time) are checked by the checkers
below so the result does not depend on which optional jsonschema extras are installed.

Both checks also report fields HSDS 3.1 does not define (HSDS tolerates extensions; Warmlink's
export promises not to use any), unless ``allow_extensions=True``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "assets"
# Where the published OpenAPI document says the schemas live; any base ending in /schema/ works.
BASE_URI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
OPENAPI_URI = BASE_URI + "openapi.json"

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
    """A jsonschema FormatChecker for the formats the HSDS 3.1 schemas use."""
    checker = FormatChecker(formats=())
    for name, check in (
        ("uuid", _is_uuid),
        ("uri", _is_uri),
        ("email", _is_email),
        ("date-time", _is_date_time),
    ):
        checker.checks(name, raises=(ValueError,))(check)
    return checker


def _vendored(uri: str) -> Resource[Any]:
    """The vendored file a published address names: ``.../schema/compiled/x.json`` is
    ``assets/compiled/x.json``. Files we did not vendor are refused, not fetched."""
    _, found, relative = urlsplit(uri).path.rpartition("/schema/")
    path = SCHEMA_DIR / relative
    if not found or not relative.endswith(".json") or not path.is_file():
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
    return DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8")))


@cache
def registry() -> Registry[Any]:
    """Every vendored file, under ``BASE_URI`` plus its path in ``assets/``."""
    paths = sorted(SCHEMA_DIR.glob("*.json")) + sorted(SCHEMA_DIR.glob("compiled/*.json"))
    uris = [BASE_URI + path.relative_to(SCHEMA_DIR).as_posix() for path in paths]
    return Registry(retrieve=_vendored).with_resources(  # type: ignore[call-arg]
        (uri, _vendored(uri)) for uri in uris
    )


def schema(name: str) -> Mapping[str, Any]:
    """A published schema by its path under ``schema/``: "service", "compiled/service_list"..."""
    contents: Mapping[str, Any] = registry().contents(f"{BASE_URI}{name}.json")
    return contents


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_schema_uri(path: str) -> str:
    """The published 200 response schema of ``GET path`` (a path of the HSDS API reference)."""
    return f"{OPENAPI_URI}#/" + _pointer(
        "paths", path, "get", "responses", "200", "content", "application/json", "schema"
    )


def _unknown_fields(
    instance: object, node: Mapping[str, Any], base: str, path: str
) -> Iterator[str]:
    while "$ref" in node:
        base = urljoin(base, node["$ref"])
        node = registry().resolver().lookup(base).contents
    if isinstance(instance, Mapping):
        properties: Mapping[str, Any] = node.get("properties", {})
        title = node.get("name", "object")
        for key, value in instance.items():
            if key not in properties:
                yield f"{path}.{key}: not a field of HSDS 3.1 {title}"
            else:
                yield from _unknown_fields(value, properties[key], base, f"{path}.{key}")
    elif isinstance(instance, list) and "items" in node:
        for index, item in enumerate(instance):
            yield from _unknown_fields(item, node["items"], base, f"{path}[{index}]")


def _check(instance: Any, uri: str, allow_extensions: bool) -> list[str]:
    validator = Draft202012Validator(
        {"$ref": uri}, registry=registry(), format_checker=format_checker()
    )
    errors = [f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)]
    if not allow_extensions:
        errors += _unknown_fields(instance, {"$ref": uri}, uri, "$")
    return sorted(errors)


def validate_record(
    name: str, record: Mapping[str, Any], *, allow_extensions: bool = False
) -> list[str]:
    """Every problem with one ``record`` against the published schema ``name`` ("service",
    "compiled/service_list"...), as ``"<JSON path>: <message>"``, sorted; empty when valid."""
    return _check(record, f"{BASE_URI}{name}.json", allow_extensions)


def validate_response(
    path: str, body: Mapping[str, Any], *, allow_extensions: bool = False
) -> list[str]:
    """Every problem with the body of ``GET path`` (not a list: see ``validate_page``) against
    the published OpenAPI response schema, sorted; empty when valid."""
    return _check(body, response_schema_uri(path), allow_extensions)


def validate_page(
    path: str, page: Mapping[str, Any], *, allow_extensions: bool = False
) -> list[str]:
    """Every problem with the body of ``GET path`` against the published OpenAPI response
    (the ``Page`` fields and ``contents``), sorted; empty when valid. Page fields we do not know
    are reported as extensions too."""
    errors = _check(page, response_schema_uri(path), allow_extensions=True)
    if not allow_extensions:
        known = {"contents", *schema("openapi")["components"]["schemas"]["Page"]["properties"]}
        errors += [f"$.{key}: not a field of the HSDS Page" for key in page if key not in known]
        response = registry().resolver().lookup(response_schema_uri(path)).contents
        items = response["properties"]["contents"]["items"]
        for index, record in enumerate(page.get("contents", [])):
            errors += _unknown_fields(record, items, OPENAPI_URI, f"$.contents[{index}]")
    return sorted(errors)
