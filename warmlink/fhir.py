"""FHIR's own error shape for every route under `/fhir`, in any service.

A FHIR client reads a refusal as an OperationOutcome (`application/fhir+json`), not as RFC 9457
problem+json: `warmlink.problems` answers through `outcome_response` when the path is under `/fhir`
and keeps problem+json everywhere else, so a service's FHIR routes raise the same errors as its
other routes. Each located input error (a query parameter, a field of the body) becomes one issue
whose `expression` names it; `diagnostics` carries the same words problem+json's `detail` would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"
PREFIX = "/fhir"

# http://hl7.org/fhir/R4/valueset-issue-type.html, by the HTTP status the runtime answers.
ISSUE_TYPE: dict[int, str] = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-long",
    415: "not-supported",
    422: "invalid",
    429: "throttled",
    503: "transient",
}
UNEXPECTED = "exception"


def serves(path: str) -> bool:
    """Whether `path` is one of the FHIR routes, answered in FHIR's own shape."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def expression(located: Mapping[str, Any]) -> str | None:
    """The FHIRPath-like name of a located input error: a query parameter by its name, a body
    field from its JSON pointer (`#/answers/3/value` -> `answers[3].value`); None for a header or
    the body as a whole."""
    if "parameter" in located:
        return str(located["parameter"]) or None
    steps = str(located.get("pointer", "#")).removeprefix("#").strip("/")
    if not steps:
        return None
    path = ""
    for step in steps.split("/"):
        path += f"[{step}]" if step.isdigit() else f".{step}" if path else step
    return path


def operation_outcome(
    status: int, detail: str, located: Sequence[Mapping[str, Any]] = (), code: str | None = None
) -> dict[str, Any]:
    """The OperationOutcome for a refusal: one issue per located error, else one for `detail`.
    `code` names the issue type when the status alone says too little (a refusal of something
    not offered is `not-supported`, not merely `invalid`)."""
    code = code or ISSUE_TYPE.get(status, UNEXPECTED)
    severity = "fatal" if status >= 500 and status != 503 else "error"
    issues: list[dict[str, Any]] = []
    for error in located:
        issue = {"severity": severity, "code": code, "diagnostics": str(error["detail"])}
        where = expression(error)
        issues.append(issue | ({"expression": [where]} if where else {}))
    if not issues:
        issues.append({"severity": severity, "code": code, "diagnostics": detail})
    return {"resourceType": "OperationOutcome", "issue": issues}


def outcome_response(
    status: int,
    detail: str,
    located: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    return JSONResponse(
        operation_outcome(status, detail, located, code),
        status_code=status,
        media_type=FHIR_JSON,
        headers=headers,
    )
