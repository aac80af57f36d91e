"""The committed OpenAPI documents: current, and saying what the services really answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tools.dev import openapi as documents
from warmlink.auth import CallerDep
from warmlink.openapi import SCHEME
from warmlink.problems import MEDIA_TYPE
from warmlink.service import ServiceSpec, create_app
from warmlink.settings import ServiceSettings

FHIR_JSON = "application/fhir+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _doc(service: str) -> dict[str, Any]:
    return json.loads((documents.FOLDER / f"{service}.json").read_text(encoding="utf-8"))


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def test_documents_are_current() -> None:
    stale = documents.stale_files()
    assert stale == [], (
        f"contracts/openapi/ is out of date for {stale}: the routes changed; run "
        f"`{documents.REGENERATE}` and commit the result"
    )


def test_stale_check_sees_a_changed_and_a_left_over_document(tmp_path: Path) -> None:
    assert sorted(documents.write(tmp_path)) == sorted(f"{s}.json" for s in documents.SERVICES)
    assert documents.stale_files(tmp_path) == []
    (tmp_path / "referral.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "gone.json").write_text("{}\n", encoding="utf-8")
    assert documents.stale_files(tmp_path) == ["referral.json", "gone.json"]


@pytest.mark.parametrize("service", documents.SERVICES)
def test_authenticated_operations_offer_bearer_and_document_their_refusals(service: str) -> None:
    doc = _doc(service)
    scheme = doc["components"]["securitySchemes"][SCHEME]
    assert scheme == scheme | {"type": "http", "scheme": "bearer"}
    secured = [(p, m, op) for p, m, op in _operations(doc) if "security" in op]
    assert secured, "no operation says it needs a token"
    for path, method, op in secured:
        assert op["security"] == [{SCHEME: []}], (path, method)
        assert {"401", "403"} <= set(op["responses"]), (path, method)
    public = {p for p, _, op in _operations(doc) if "security" not in op}
    assert {"/health", "/ready"} <= public
    assert "/v1/whoami" not in public and "/metrics" not in public


@pytest.mark.parametrize("service", documents.SERVICES)
def test_every_error_is_documented_as_problem_json(service: str) -> None:
    doc = _doc(service)
    assert "HTTPValidationError" not in json.dumps(doc)
    for path, method, op in _operations(doc):
        if path == "/ready":  # answers 503 with its own JSON body, for probes
            continue
        for status, response in op["responses"].items():
            if path.startswith("/fhir/") and set(response.get("content", {})) == {FHIR_JSON}:
                continue  # a FHIR route's own refusal: the OperationOutcome a FHIR client reads
            if status.startswith(("4", "5")):
                assert response["content"] == {MEDIA_TYPE: {"schema": PROBLEM_REF}}, (
                    path,
                    method,
                    status,
                )
        if op.get("parameters") or "requestBody" in op:
            assert "422" in op["responses"], (path, method)
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            assert "404" in op["responses"], (path, method)
        if method in {"post", "put", "delete"}:
            assert {"409", "413"} <= set(op["responses"]), (path, method)


def test_csv_and_event_stream_responses_are_documented() -> None:
    referral, followup = _doc("referral"), _doc("followup")
    listing = referral["paths"]["/v1/referrals"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(listing)
    monthly = followup["paths"]["/v1/reports/monthly"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in monthly
    stream = referral["paths"]["/v1/subscriptions/{subscription_id}/stream"]["get"]
    assert set(stream["responses"]["200"]["content"]) == {"text/event-stream"}
    metrics = referral["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert set(metrics) == {"text/plain"}
    # The discharge summary's body is the document: its types, and the 415 for any other.
    upload = referral["paths"]["/v1/referrals/{referral_id}/discharge-summary"]["put"]
    assert set(upload["requestBody"]["content"]) == {"application/pdf", "text/plain"}
    assert upload["responses"]["415"]["content"] == {MEDIA_TYPE: {"schema": PROBLEM_REF}}
    read = referral["paths"]["/v1/intake/{referral_id}/discharge-summary"]["get"]
    assert set(read["responses"]["200"]["content"]) == {"application/pdf", "text/plain"}


def test_portal_documents_its_json_api_not_its_pages() -> None:
    paths = set(_doc("portal")["paths"])
    assert {"/v1/people", "/v1/identity-providers"} <= paths
    assert not paths & {"/", "/sign-in", "/referrals", "/referrals.csv", "/inbox"}


class _Probe(BaseModel):
    count: int


def _probe_app() -> TestClient:
    """A service app from the runtime's factory with two routes: what it really sends is what
    its document says. Not started: these answers come before any database or token check."""
    router = APIRouter()

    @router.post("/v1/probe/{thing_id}")
    async def probe(thing_id: int, body: _Probe, limit: int = 10) -> dict[str, int]:
        return {"thing": thing_id, "count": body.count, "limit": limit}

    @router.get("/v1/probe-secured")
    async def secured(caller: CallerDep) -> dict[str, str]:
        return {"subject": caller.subject}

    spec = ServiceSpec(settings=ServiceSettings(), migrations=Path(), routers=[router])
    return TestClient(create_app(spec), raise_server_exceptions=False)


def _documented(doc: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    return doc["paths"][path][method]["responses"][str(status)]


def test_a_real_422_matches_its_documented_schema() -> None:
    client = _probe_app()
    doc = client.app.openapi()  # type: ignore[attr-defined]
    for url, body in [
        ("/v1/probe/x?limit=y", {"count": "many"}),
        ("/v1/probe/1", {"count": None}),
        ("/v1/probe/1", "not json"),
    ]:
        answer = (
            client.post(url, json=body)
            if isinstance(body, dict)
            else client.post(url, content=body, headers={"content-type": "application/json"})
        )
        assert answer.status_code == 422
        content = _documented(doc, "/v1/probe/{thing_id}", "post", 422)["content"]
        media = answer.headers["content-type"].split(";")[0]
        assert media in content, (media, content)
        schema = doc["components"]["schemas"]["Problem"]
        jsonschema.Draft202012Validator(schema).validate(answer.json())


def test_a_route_that_needs_a_token_says_so() -> None:
    client = _probe_app()
    doc = client.app.openapi()  # type: ignore[attr-defined]
    assert doc["paths"]["/v1/probe-secured"]["get"]["security"] == [{SCHEME: []}]
    assert "security" not in doc["paths"]["/v1/probe/{thing_id}"]["post"]


def test_pages_stay_out_of_the_document() -> None:
    pages = APIRouter()

    @pages.get("/a-page")
    async def a_page() -> dict[str, str]:
        return {}

    spec = ServiceSpec(settings=ServiceSettings(), migrations=Path(), pages=[pages])
    app = create_app(spec)
    assert "/a-page" not in app.openapi()["paths"]
    assert TestClient(app).get("/a-page").status_code == 200  # served all the same
