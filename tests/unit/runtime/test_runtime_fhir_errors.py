"""Every refusal under /fhir is a FHIR OperationOutcome (warmlink.fhir through warmlink.problems),
whichever layer refuses: the guard (401, 429), routing (404), validation (422), a route (400, 403,
404) or a crash (500); routes elsewhere keep problem+json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from fhir.resources.R4B.operationoutcome import OperationOutcome
from httpx import Response
from pydantic import BaseModel

# The signing keys and a caller's bearer token, as the rate-limit tests make them.
from tests.unit.runtime.test_runtime_rate_limit import bearer, keys
from warmlink import errors, guard, problems
from warmlink.auth import CallerDep, TokenVerifier
from warmlink.fhir import FHIR_JSON, expression
from warmlink.openapi import OUTCOME_SCHEMA
from warmlink.rate_limit import RateLimits, TokenBuckets

SECRET = "Jane Q. Patient"
__all__ = ["keys"]  # a fixture, used by name


class Note(BaseModel):
    answers: list[int]


@pytest.fixture
def client(keys: tuple[bytes, Path]) -> TestClient:
    app = FastAPI()
    app.state.verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev")
    # Two requests per caller, none refilled within a test (the clock never moves).
    app.state.rate_limits = RateLimits(
        TokenBuckets(1, 2, clock=lambda: 0.0), TokenBuckets(1, 50, clock=lambda: 0.0)
    )
    problems.install(app)
    router = APIRouter()

    @router.get("/fhir/Task")
    async def search(caller: CallerDep, _count: int = 10) -> dict[str, Any]:
        return {"org": caller.organization_id, "count": _count}

    @router.get("/fhir/Task/{task_id}")
    async def read(task_id: str) -> None:
        if task_id == "forbidden":
            raise problems.Forbidden("Not yours.")
        if task_id == "bad":
            raise problems.BadRequest("unsupported search parameter: colour")
        if task_id == "crash":
            raise RuntimeError(f"row for {SECRET} exploded")
        raise errors.NotFound(f"No referral {task_id}.")

    @router.post("/fhir/Note")
    async def note(body: Note) -> int:
        return len(body.answers)

    @router.get("/v1/referrals/{referral_id}")
    async def elsewhere(referral_id: str) -> None:
        raise errors.NotFound(f"No referral {referral_id}.")

    app.include_router(router)
    guard.install(app.router.routes)
    return TestClient(app, raise_server_exceptions=False)


def outcome(response: Response, status: int) -> list[dict[str, Any]]:
    """The response's issues, after checking it is a valid R4 OperationOutcome with `status`, as
    the OpenAPI documents say."""
    assert response.status_code == status
    assert response.headers["content-type"] == FHIR_JSON
    body = response.json()
    OperationOutcome.model_validate(body)
    jsonschema.validate(body, OUTCOME_SCHEMA)
    issues: list[dict[str, Any]] = body["issue"]
    return issues


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/fhir/Task/bad", 400, "invalid"),
        ("/fhir/Task/forbidden", 403, "forbidden"),
        ("/fhir/Task/missing", 404, "not-found"),
        ("/fhir/Patient/1", 404, "not-found"),  # no such route at all
    ],
)
def test_route_and_routing_refusals_are_operation_outcomes(
    client: TestClient, path: str, status: int, code: str
) -> None:
    [issue] = outcome(client.get(path), status)
    assert issue["severity"] == "error"
    assert issue["code"] == code
    assert issue["diagnostics"]


def test_a_missing_token_is_a_login_issue_with_the_challenge(client: TestClient) -> None:
    response = client.get("/fhir/Task")
    [issue] = outcome(response, 401)
    assert issue["code"] == "login"
    assert response.headers["www-authenticate"].lower().startswith("bearer")


def test_too_many_requests_is_throttled_with_retry_after(
    client: TestClient, keys: tuple[bytes, Path]
) -> None:
    assert [
        client.get("/fhir/Task", headers=bearer(keys, "oak-ob")).status_code for _ in range(2)
    ] == [
        200,
        200,
    ]
    response = client.get("/fhir/Task", headers=bearer(keys, "oak-ob"))
    [issue] = outcome(response, 429)
    assert issue["code"] == "throttled"
    assert response.headers["retry-after"]


def test_a_bad_parameter_is_422_with_its_name_as_expression(
    client: TestClient, keys: tuple[bytes, Path]
) -> None:
    [issue] = outcome(client.get("/fhir/Task?_count=many", headers=bearer(keys, "oak-ob")), 422)
    assert issue["code"] == "invalid"
    assert issue["expression"] == ["_count"]


def test_a_bad_body_field_is_422_with_its_path_as_expression(client: TestClient) -> None:
    issues = outcome(client.post("/fhir/Note", json={"answers": [1, "x"]}), 422)
    assert [i["expression"] for i in issues] == [["answers[1]"]]


def test_a_crash_is_fatal_and_echoes_nothing(client: TestClient) -> None:
    response = client.get("/fhir/Task/crash")
    [issue] = outcome(response, 500)
    assert (issue["severity"], issue["code"]) == ("fatal", "exception")
    assert SECRET not in response.text


def test_routes_outside_fhir_keep_problem_json(client: TestClient) -> None:
    response = client.get("/v1/referrals/r-1")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://warmlink.dev/problems/not-found"
    # A path that only starts like /fhir is not under it.
    assert client.get("/fhirish").headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("located", "expected"),
    [
        ({"parameter": "status"}, "status"),
        ({"pointer": "#/answers/3/value"}, "answers[3].value"),
        ({"pointer": "#/criteria/level"}, "criteria.level"),
        ({"pointer": "#"}, None),
        ({"header": "Authorization"}, None),
    ],
)
def test_expression_of_a_located_error(located: dict[str, str], expected: str | None) -> None:
    assert expression(located) == expected
