"""Domain errors: what a service layer refuses, said without HTTP.

Domain and service-layer code raise these; the HTTP edge maps each kind to problem+json once
(`warmlink.problems.install`), so no module below the entrypoints knows a status code. A `field`
is a JSON pointer into the request body (``/answers/3``) for errors about one input.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal a service layer raises; `detail` is shown to the caller as is.

    A refusal that passes by itself (the awaited event arrives) sets `retry_after_s`: the edge
    answers it with a Retry-After header. Under /fhir a refusal is an OperationOutcome whose issue
    type follows the status; `fhir_issue` names a more precise one (`not-supported`)."""

    retry_after_s: int | None = None
    fhir_issue: str | None = None

    def __init__(self, detail: str, *, field: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extensions = extensions


class NotFound(DomainError):
    """The thing does not exist, or is not the caller's organization's to see."""


class NotAllowed(DomainError):
    """The caller's organization or role may not do this."""


class Conflict(DomainError):
    """The thing's current state does not allow the command (a transition, a duplicate)."""


class Invalid(DomainError):
    """The input is well formed but cannot be accepted; `field` says where."""


class Unavailable(DomainError):
    """The service cannot answer now, through no fault of the request; it passes by itself."""
