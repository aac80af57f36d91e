"""RFC 9457 problem responses for domain errors, validation, routing and crashes."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from warmlink import problems
from warmlink.problems import Conflict, Forbidden, InvalidInput, NotFound

MEDIA = "application/problem+json"
SECRET = "Jane Q. Patient"


class Answers(BaseModel):
    patient_ref: str
    answers: list[int]


def make_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)

    @app.post("/screenings")
    def post(body: Answers, limit: int = 10) -> dict[str, int]:
        return {"count": len(body.answers), "limit": limit}

    @app.get("/bad-field")
    def bad_field() -> None:
        raise InvalidInput.at("/x", "bad")

    @app.get("/missing")
    def missing() -> None:
        raise NotFound("No such referral.")

    @app.get("/taken")
    def taken() -> None:
        raise Conflict("Already accepted.")

    @app.get("/denied")
    def denied() -> None:
        raise Forbidden("Not yours.")

    @app.get("/extended")
    def extended() -> None:
        raise Conflict("Stale.", current_version=3)

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError(f"db row for {SECRET} exploded")

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app(), raise_server_exceptions=False)


def test_valid_request_passes_through(client: TestClient) -> None:
    response = client.post("/screenings?limit=3", json={"patient_ref": "p", "answers": [1, 2]})
    assert response.json() == {"count": 2, "limit": 3}


def test_bad_body_item_is_422_with_json_pointer_to_the_item(client: TestClient) -> None:
    response = client.post("/screenings", json={"patient_ref": "p", "answers": [0, 1, 2, "x"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == MEDIA
    body = response.json()
    assert body["type"] == "https://warmlink.dev/problems/invalid-input"
    assert body["title"] == "Unprocessable Content"
    assert body["instance"] == "/screenings"
    assert [e["pointer"] for e in body["errors"]] == ["#/answers/3"]
    assert body["errors"][0]["detail"]
    assert body["detail"].startswith("#/answers/3: ")


def test_missing_body_field_points_at_the_field(client: TestClient) -> None:
    response = client.post("/screenings", json={"answers": []})
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/patient_ref"]


def test_bad_query_parameter_is_422_naming_the_parameter(client: TestClient) -> None:
    response = client.post("/screenings?limit=many", json={"patient_ref": "p", "answers": []})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["parameter"] == "limit"
    assert "pointer" not in errors[0]


def test_validation_problem_never_echoes_the_submitted_value(client: TestClient) -> None:
    response = client.post("/screenings", json={"patient_ref": "p", "answers": [SECRET]})
    assert response.status_code == 422
    assert SECRET not in response.text
    assert "Jane" not in response.text
    assert "input" not in response.json()["errors"][0]


def test_bad_query_value_is_not_echoed(client: TestClient) -> None:
    response = client.post(f"/screenings?limit={SECRET}", json={"patient_ref": "p", "answers": []})
    assert response.status_code == 422
    assert "Jane" not in response.text


def test_invalid_input_at_points_into_the_body(client: TestClient) -> None:
    response = client.get("/bad-field")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": "#/x", "detail": "bad"}]
    assert response.json()["detail"] == "bad"


@pytest.mark.parametrize(
    ("path", "status", "slug", "title", "detail"),
    [
        ("/missing", 404, "not-found", "Not Found", "No such referral."),
        ("/taken", 409, "conflict", "Conflict", "Already accepted."),
        ("/denied", 403, "forbidden", "Forbidden", "Not yours."),
    ],
)
def test_domain_problems_map_to_status_and_fields(
    client: TestClient, path: str, status: int, slug: str, title: str, detail: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == MEDIA
    assert response.json() == {
        "type": f"https://warmlink.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
    }


def test_problem_extensions_are_added_to_the_body(client: TestClient) -> None:
    body = client.get("/extended").json()
    assert body["current_version"] == 3
    assert body["status"] == 409
    assert "errors" not in body


def test_unexpected_exception_is_bare_500_without_its_message(client: TestClient) -> None:
    response = client.get("/crash")
    assert response.status_code == 500
    assert response.headers["content-type"] == MEDIA
    assert response.json() == {
        "type": "https://warmlink.dev/problems/internal",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred.",
        "instance": "/crash",
    }
    assert "exploded" not in response.text


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == MEDIA
    body = response.json()
    assert (body["status"], body["title"], body["instance"]) == (404, "Not Found", "/nowhere")


def test_wrong_method_is_405_problem_keeping_the_allow_header(client: TestClient) -> None:
    response = client.delete("/missing")
    assert response.status_code == 405
    assert response.headers["content-type"] == MEDIA
    assert response.headers["allow"] == "GET"
    assert response.json()["status"] == 405


def test_malformed_json_is_422_problem_without_echoing_the_body(client: TestClient) -> None:
    raw = b'{"patient_ref": "Jane Q. Patient", "answers": [1,'
    response = client.post("/screenings", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == MEDIA
    assert "Jane" not in response.text


def test_malformed_json_pointer_does_not_name_a_character_offset(client: TestClient) -> None:
    raw = b'{"patient_ref": "p", "answers": [1,'
    response = client.post("/screenings", content=raw, headers={"content-type": "application/json"})
    assert response.json()["errors"][0]["pointer"] in ("#", "#/")


def test_a_body_that_is_not_utf8_is_422_like_any_body_that_is_not_json(client: TestClient) -> None:
    # The fuzzer's find: bytes json.loads cannot decode were a 400 nobody documented.
    raw = b'{"patient_ref": "\xff\xfe"}'
    response = client.post("/screenings", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == MEDIA
    assert response.json()["errors"] == [{"pointer": "#", "detail": "the body is not UTF-8 JSON"}]
