"""The screening API's edges: tokens, organization scoping, validation, idempotency, FHIR."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Network
from tests.e2e.test_e2e_screen_to_worklist import SITE, phq9
from warmlink.auth import Role
from warmlink.tokens import ensure_key_pair, issue_token

PROBLEM = "application/problem+json"


@pytest.fixture
async def client(network: Network) -> Any:
    async with httpx.AsyncClient(base_url=network.url("screening")) as c:
        yield c


async def _recorded(client: httpx.AsyncClient, network: Network) -> str:
    response = await client.post(
        "/v1/screenings", json=phq9("scoped", [3] * 9), headers=network.auth(SITE)
    )
    assert response.status_code == 201
    return str(response.json()["id"])


@pytest.mark.parametrize("case", ["missing", "expired", "wrong_signature", "garbage"])
async def test_bad_tokens_get_401_problem_and_no_data(
    client: httpx.AsyncClient, network: Network, tmp_path: Any, case: str
) -> None:
    screening_id = await _recorded(client, network)
    headers: dict[str, str] = {}
    if case == "expired":
        headers["Authorization"] = "Bearer " + network.token(
            SITE, Role.CLINIC, now=time.time() - 3600, ttl_s=60
        )
    elif case == "wrong_signature":
        other_key, _ = ensure_key_pair(tmp_path)
        token = issue_token(other_key.read_bytes(), organization_id=SITE, role=Role.CLINIC)
        headers["Authorization"] = f"Bearer {token}"
    elif case == "garbage":
        headers["Authorization"] = "Bearer not.a.token"
    response = await client.get(f"/v1/screenings/{screening_id}", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert "scoped" not in response.text and "total" not in response.json()


async def test_wrong_role_gets_403_and_other_organization_gets_404(
    client: httpx.AsyncClient, network: Network
) -> None:
    screening_id = await _recorded(client, network)
    as_practice = await client.get(
        f"/v1/screenings/{screening_id}", headers=network.auth(SITE, Role.PRACTICE)
    )
    assert as_practice.status_code == 403 and as_practice.headers["content-type"] == PROBLEM
    other_site = await client.get(
        f"/v1/screenings/{screening_id}", headers=network.auth("maple-pediatrics")
    )
    assert other_site.status_code == 404 and "scoped" not in other_site.text
    own = await client.get(f"/v1/screenings/{screening_id}", headers=network.auth(SITE))
    assert own.status_code == 200 and own.json()["total"] == 27
    audit = await network.query(
        "screening", "SELECT action FROM audit_log WHERE record_id = $1 ORDER BY id", screening_id
    )
    assert [r["action"] for r in audit] == ["write", "read"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"answers": [1] * 8}, "#/answers"),
        ({"answers": [1, 1, 1, 4, 1, 1, 1, 1, 1]}, "#/answers/3"),
        ({"answers": [1, 1, 1, True, 1, 1, 1, 1, 1]}, "#/answers/3"),
        ({"instrument": "BDI-II"}, "#/instrument"),
        ({"screened_at": "2099-01-01T00:00:00Z"}, "#/screened_at"),
        ({"screened_at": "2026-01-01T10:00:00"}, "#/screened_at"),
        ({"setting": "pharmacy"}, "#/setting"),
        ({"patient_ref": "Jane Doe"}, "#/patient_ref"),
    ],
)
async def test_invalid_screens_get_422_naming_the_field(
    client: httpx.AsyncClient, network: Network, change: dict[str, Any], pointer: str
) -> None:
    body = phq9("valid-ref", [1] * 9) | change
    response = await client.post("/v1/screenings", json=body, headers=network.auth(SITE))
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert pointer in [e.get("pointer") for e in response.json()["errors"]]
    assert "Jane Doe" not in response.text


async def test_same_idempotency_key_returns_the_first_result_and_a_different_body_is_refused(
    client: httpx.AsyncClient, network: Network
) -> None:
    headers = network.auth(SITE) | {"Idempotency-Key": "visit-4711-phq9"}
    sent = phq9("idem-1", [2] * 9)  # one body, sent twice: the same request
    first = await client.post("/v1/screenings", json=sent, headers=headers)
    again = await client.post("/v1/screenings", json=sent, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = sent | {"answers": [1] * 9}
    different = await client.post("/v1/screenings", json=changed, headers=headers)
    assert different.status_code == 422
    assert different.json()["errors"][0]["header"] == "Idempotency-Key"


async def test_concurrent_requests_with_one_key_record_one_screening(
    client: httpx.AsyncClient, network: Network
) -> None:
    headers = network.auth(SITE) | {"Idempotency-Key": "concurrent-key"}
    sent = phq9("idem-many", [3] * 9)
    responses = await asyncio.gather(
        *[client.post("/v1/screenings", json=sent, headers=headers) for _ in range(20)]
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    rows = await network.query(
        "screening", "SELECT id FROM screenings WHERE patient_ref = 'idem-many'"
    )
    assert len(rows) == 1


async def test_fhir_questionnaire_response_is_scored_like_the_form(
    client: httpx.AsyncClient, network: Network
) -> None:
    answers = [2, 2, 2, 2, 1, 1, 0, 0, 0]
    resource = {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "http://loinc.org/q/44249-1",
        "authored": "2026-03-02T09:30:00-05:00",
        "item": [
            {"linkId": str(i + 1), "answer": [{"valueCoding": {"code": str(a)}}]}
            for i, a in enumerate(answers)
        ],
    }
    body = {"patient_ref": "fhir-1", "setting": "pediatric", "resource": resource}
    response = await client.post(
        "/v1/screenings/questionnaire-response", json=body, headers=network.auth(SITE)
    )
    assert response.status_code == 201, response.text
    assert (response.json()["instrument"], response.json()["total"]) == ("PHQ-9", 10)
    resource["item"] = resource["item"][:5]  # type: ignore[index]
    short = await client.post(
        "/v1/screenings/questionnaire-response", json=body, headers=network.auth(SITE)
    )
    assert short.status_code == 422 and short.json()["errors"][0]["pointer"].startswith(
        "#/resource/item"
    )
