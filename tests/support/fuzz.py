"""Fuzz a running service against its committed OpenAPI document with schemathesis.

Every operation of the document gets `examples` generated requests (valid and invalid ones,
from a fixed seed: the same requests in every run) per caller, but a caller it turns away (401,
403) on the first `PROBE` valid requests gets no more. Each answer is checked: no 5xx;
a status the document lists; a content type it lists for that status (so every error is
problem+json, the only type errors are documented with); a body that matches the schema.
What failed is collected, one entry per operation, caller and check, rather than stopping at
the first, so a run reports everything it found.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
TIMEOUT_S = 30.0
# A caller whose first, valid requests to an operation are all turned away (401, 403: a role the
# route does not serve) gets no more: the budget goes to the callers the route serves. Invalid
# requests would not tell: their 422 comes before the role is looked at.
PROBE = 3
TURNED_AWAY = frozenset({401, 403})


@dataclass(frozen=True)
class Finding:
    operation: str
    caller: str
    status: int
    failure: str
    body: str

    def __str__(self) -> str:
        return f"{self.operation} as {self.caller}: {self.status} {self.failure}: {self.body}"


@dataclass
class FuzzRun:
    findings: list[Finding]
    sent: int  # requests
    operations: set[str]  # the operations that were sent at least one request


def fuzz_service(
    document: Path,
    base_url: str,
    callers: Mapping[str, str | None],
    examples: Mapping[str, int],
    *,
    seed: int = 17,
) -> FuzzRun:
    """Fuzz every operation as every caller (name -> bearer token, None for no token), with
    `examples[name]` requests each. Returns what failed (the first failure per operation,
    caller and kind), how many requests were sent and to which operations."""
    findings: dict[tuple[str, str, str], Finding] = {}
    sent, reached = 0, set()
    with requests.Session() as session:

        def exchange(
            operation: Any, caller: str, headers: dict[str, str], statuses: list[int]
        ) -> Any:
            def one(case: Any) -> None:
                nonlocal sent
                response = case.call(session=session, headers=headers, timeout=TIMEOUT_S)
                sent += 1
                statuses.append(response.status_code)
                reached.add(operation.label)
                try:
                    case.validate_response(response, checks=CHECKS)
                except FailureGroup as group:
                    failures = [str(getattr(f, "title", f)) for f in group.exceptions]
                except AssertionError as single:  # one failed check
                    failures = [str(getattr(single, "title", single))]
                else:
                    return
                for kind in failures:
                    finding = Finding(
                        operation.label, caller, response.status_code, kind, response.text[:300]
                    )
                    findings.setdefault((operation.label, caller, kind), finding)

            return one

        for operation in operations(document, base_url).values():
            valid = operation.as_strategy(GenerationMode.POSITIVE)
            strategy = st.one_of(valid, operation.as_strategy(GenerationMode.NEGATIVE))
            for caller, token in callers.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                statuses: list[int] = []
                test = exchange(operation, caller, headers, statuses)
                _run(valid, test, min(PROBE, examples[caller]), seed)
                if examples[caller] > PROBE and not set(statuses) <= TURNED_AWAY:
                    _run(strategy, test, examples[caller] - PROBE, seed)
    return FuzzRun(list(findings.values()), sent, reached)


def _run(strategy: Any, test: Any, examples: int, seed: int) -> None:
    settings = hypothesis.settings(
        max_examples=examples,
        derandomize=True,  # the same requests every run (`seed` picks which)
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    seeded = hypothesis.seed(seed)
    seeded(settings(hypothesis.given(strategy)(test)))()  # type: ignore[no-untyped-call]


def operations(document: Path, base_url: str) -> dict[str, Any]:
    """The document's operations by label (`GET /v1/referrals/{referral_id}`), sent to
    `base_url`."""
    schema = schemathesis.openapi.from_path(document)
    schema.config.update(base_url=base_url)
    found = {}
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found[result.ok().label] = result.ok()
    return found


def one_case(operation: Any, seed: int = 17) -> Any:
    """One valid request for `operation`, the same every run: what a caller who means no harm
    but holds the wrong token would send."""
    drawn: list[Any] = []

    def keep(case: Any) -> None:
        drawn.append(case)

    _run(operation.as_strategy(GenerationMode.POSITIVE), keep, 1, seed)
    return drawn[0]
