"""RFC 9457 problem details, mapped once for every service.

Domain and service-layer code raise `warmlink.errors.DomainError` kinds, which are mapped here to
their status (`problem_for`); entrypoints may raise `Problem` subclasses for what only HTTP knows
(a missing header, a bad token). Request validation errors become 422 with one entry per failing
field (`pointer` for the body, `parameter`/`header` for the rest). Unexpected errors become a bare
500 that never echoes the request. Routes under `/fhir` answer the same errors as a FHIR
OperationOutcome instead (`warmlink.fhir`).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from warmlink import errors, fhir

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://warmlink.dev/problems/"
NOT_UTF8_JSON = "the body is not UTF-8 JSON"


class Problem(Exception):
    status = 500
    title = "Internal Server Error"
    slug = "internal"
    fhir_issue: str | None = None  # the OperationOutcome's issue type under /fhir; None: by status

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] = (),
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers
        self.extensions = extensions

    def body(self, instance: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        if self.errors:
            body["errors"] = self.errors
        return body | self.extensions


class BadRequest(Problem):
    """A request the route cannot read as asked (a search parameter it does not support)."""

    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Unauthorized", "unauthorized"
    # Why, as a code for the audit log (warmlink.refusals), never sent to the caller.
    reason = "unauthenticated"

    def because(self, reason: str) -> Unauthorized:
        self.reason = reason
        return self


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class ContentTooLarge(Problem):
    status, title, slug = 413, "Content Too Large", "content-too-large"


class TooManyRequests(Problem):
    status, title, slug = 429, "Too Many Requests", "too-many-requests"


class ServiceUnavailable(Problem):
    status, title, slug = 503, "Service Unavailable", "unavailable"


class InvalidInput(Problem):
    status, title, slug = 422, "Unprocessable Content", "invalid-input"

    @classmethod
    def at(cls, pointer: str, detail: str) -> InvalidInput:
        """One bad field, `pointer` a JSON pointer into the body such as `/answers/3`."""
        return cls(detail, errors=[{"pointer": "#" + pointer, "detail": detail}])


_STATUS_OF: dict[type[errors.DomainError], type[Problem]] = {
    errors.NotFound: NotFound,
    errors.NotAllowed: Forbidden,
    errors.Conflict: Conflict,
    errors.Invalid: InvalidInput,
    errors.Unavailable: ServiceUnavailable,
}


def problem_for(error: errors.DomainError) -> Problem:
    """The problem+json a domain error answers with; an unmapped kind is a 422 about the input."""
    kind = next((p for e, p in _STATUS_OF.items() if isinstance(error, e)), InvalidInput)
    located = [{"pointer": "#" + error.field, "detail": error.detail}] if error.field else []
    retry = {"Retry-After": str(error.retry_after_s)} if error.retry_after_s else None
    problem = kind(error.detail, errors=located, headers=retry, **error.extensions)
    problem.fhir_issue = error.fhir_issue
    return problem


def _location(loc: Sequence[int | str]) -> dict[str, str]:
    where, *path = loc
    if where == "body":
        return {"pointer": "#/" + "/".join(str(p) for p in path)}
    if where == "header":
        return {"header": str(path[0]) if path else ""}
    return {"parameter": ".".join(str(p) for p in path)}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only location and message: pydantic's `input` could echo patient data back into logs.
    # A body that is not JSON at all is located at a character offset: point at the whole body.
    return [
        ({"pointer": "#"} if e["type"] == "json_invalid" else _location(e["loc"]))
        | {"detail": e["msg"]}
        for e in exc.errors()
    ]


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    if fhir.serves(request.url.path):  # a FHIR client reads an OperationOutcome (warmlink.fhir)
        return fhir.outcome_response(
            problem.status, problem.detail, problem.errors, problem.headers, problem.fhir_issue
        )
    return JSONResponse(
        problem.body(request.url.path),
        status_code=problem.status,
        media_type=MEDIA_TYPE,
        headers=problem.headers,
    )


def install(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, errors.DomainError)
        return problem_response(problem_for(exc), request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        detail = "; ".join(f"{next(iter(e.values()))}: {e['detail']}" for e in errors[:5])
        return problem_response(InvalidInput(detail, errors=errors), request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc.__cause__, Problem):  # raised while FastAPI read the body (a limit)
            return problem_response(exc.__cause__, request)
        if isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's 400; JSON that is not
            return problem_response(InvalidInput.at("", NOT_UTF8_JSON), request)  # is a 422
        problem = Problem(str(exc.detail), headers=dict(exc.headers or {}))
        problem.status, problem.title, problem.slug = exc.status_code, str(exc.detail), "http"
        return problem_response(problem, request)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The stack without the message: messages (e.g. a unique violation) can quote data.
        stack = "".join(traceback.format_tb(exc.__traceback__))
        log.error(
            "unhandled error",
            extra={"path": request.url.path, "error": type(exc).__name__, "stack": stack},
        )
        return problem_response(Problem("An unexpected error occurred."), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(errors.DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)
