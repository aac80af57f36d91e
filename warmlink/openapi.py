"""The OpenAPI document every service publishes (`/openapi.json`, `/docs`), saying what it does.

FastAPI documents what a route declares: its parameters, its body and its success. What the
runtime adds to every route is written here, once, from the routes themselves:
- the bearer security scheme, on every route that authenticates (`warmlink.guard.needs_caller`),
  so `/docs` offers *Authorize*;
- the errors it answers, as `warmlink.problems` sends them (RFC 9457 problem+json): 401 and 403
  where a token is needed, 404 where the path names a thing, 409 for a write, 413 where a body
  is read, 422 where anything is read (FastAPI's own `HTTPValidationError` is not what is sent),
  429 and 503 where a request may be limited or wait for a connection;
- the media type of a route whose response class says it (Server-Sent Events).

A route that answers another media type besides JSON (CSV) declares it with `responses=CSV_TOO`;
a refusal only it makes, with `responses=problem_responses(415)`. A route that declares a status
itself (a FHIR route's OperationOutcome) keeps that declaration.
The documents are committed in `contracts/openapi/` (`make contracts`; `tools/dev/openapi.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from sse_starlette import EventSourceResponse
from starlette.routing import BaseRoute

from warmlink.guard import needs_caller
from warmlink.problems import MEDIA_TYPE

SCHEME = "bearer"
WRITES = frozenset({"post", "put", "patch", "delete"})
# Probes and scrapes answer for the process, never limited nor waiting for a request connection.
OPERATIONAL = frozenset({"/health", "/ready", "/metrics"})

# A route that answers CSV too (with `format=csv` or `Accept: text/csv`).
CSV_TOO: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}
# The Prometheus text format of `GET /metrics`.
PROMETHEUS_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}}}
}
EVENT_STREAM = "text/event-stream"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `errors` locates each bad input: `pointer` (a JSON "
    "pointer into the body), `parameter` (a path or query parameter) or `header`. Other members "
    "are extensions (such as `max_bytes`).",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "header": {"type": "string"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}

PROBLEMS: dict[str, str] = {
    "401": "No token, or a token that is not valid (bad signature, expired, suspended).",
    "403": "The token's role or organization may not do this.",
    "404": "Not there, or not the caller's to see (another organization's is not told apart).",
    "409": "The thing is not in a state that allows this (or the request repeats another).",
    "413": "The body is larger than the service reads.",
    "415": "The body's media type is not one the route takes (or the bytes are not that type).",
    "422": "The request's parameters or body are not valid; `errors` says where.",
    "429": "Too many requests; `Retry-After` says when to try again.",
    "503": "The service could not serve the request now; `Retry-After` says when to try again.",
}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def install(app: FastAPI) -> None:
    """Make `app.openapi()` (and `/openapi.json`, `/docs`) serve `document(app)`."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def document(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["securitySchemes"] = {
        SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A token from the directory's `POST /oauth/token` (or `warmlink "
            "token` in development).",
        }
    }
    for route in documented_routes(app.routes):
        for method in route.methods:
            operation = doc["paths"][route.path_format].get(method.lower())
            if operation is not None:
                _describe(operation, route, method.lower())
    for name in _VALIDATION_SCHEMAS:  # every 422 is a Problem now
        components["schemas"].pop(name, None)
    return doc


def documented_routes(routes: Sequence[BaseRoute]) -> Iterator[Any]:
    """Every API route in `routes` that the document shows, as included (path, dependencies and
    schema flag of its inclusion: FastAPI builds an included router's routes lazily)."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def _describe(operation: dict[str, Any], route: Any, method: str) -> None:
    responses = operation.setdefault("responses", {})
    if isinstance(route.response_class, type) and issubclass(
        route.response_class, EventSourceResponse
    ):
        success = next(code for code in responses if code.startswith("2"))
        responses[success]["content"] = {EVENT_STREAM: {"schema": {"type": "string"}}}
    places = {parameter["in"] for parameter in operation.get("parameters", [])}
    reads_input = bool(places) or "requestBody" in operation
    statuses: list[str] = []
    if needs_caller(route.dependant):
        operation["security"] = [{SCHEME: []}]
        statuses += ["401", "403"]
    if "path" in places:
        statuses.append("404")
    if method in WRITES:
        statuses += ["409", "413"]
    if reads_input:
        statuses.append("422")
    if route.path_format not in OPERATIONAL:
        statuses += ["429", "503"]
    # A status the route documents itself keeps its own body: a FHIR route answers its errors
    # as an OperationOutcome (application/fhir+json), which is what a FHIR client reads.
    own = {str(status) for status in route.original_route.responses}
    for status in statuses:
        if status not in own:
            responses[status] = _problem(PROBLEMS[status])


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for refusals a route makes by itself (a 415 for a document's type)."""
    return {status: _problem(PROBLEMS[str(status)]) for status in statuses}


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {MEDIA_TYPE: {"schema": schema}}}
