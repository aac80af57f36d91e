"""Requests a second per caller and per client address (warmlink.rate_limit), applied to every
route by warmlink.guard: 429 problem+json with Retry-After past the limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from warmlink import guard, problems
from warmlink.auth import CallerDep, Role, TokenVerifier
from warmlink.rate_limit import MAX_KEYS, RateLimits, TokenBuckets
from warmlink.settings import ServiceSettings
from warmlink.tokens import ensure_key_pair, issue_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_lets_a_burst_through_then_refills_at_its_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_s=2, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [None, None, None]
    assert buckets.take("a") == pytest.approx(0.5)  # one more in half a second at 2/s
    assert buckets.take("b") is None, "another key has its own bucket"
    clock.now += 0.5
    assert buckets.take("a") is None
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 100
    assert [buckets.take("a") for _ in range(4)][-1] is not None, "never more than the burst"


def test_a_refused_request_takes_nothing() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate_per_s=1, burst=1, clock=clock)
    assert buckets.take("a") is None
    for _ in range(10):
        assert buckets.take("a") is not None
    clock.now += 1.0
    assert buckets.take("a") is None


def test_memory_stays_bounded_forgetting_the_least_recently_seen() -> None:
    buckets = TokenBuckets(rate_per_s=1, burst=1, clock=Clock())
    buckets.take("first")
    for n in range(MAX_KEYS):
        buckets.take(f"k{n}")
    assert len(buckets._buckets) == MAX_KEYS
    assert "first" not in buckets._buckets


def test_settings_default_to_limits_the_benchmarks_never_reach_outside_production() -> None:
    development = ServiceSettings()
    assert (development.rate_limit_caller_per_s, development.rate_limit_address_per_s) == (
        10_000,
        10_000,
    )
    production = ServiceSettings.model_construct(environment="production")._fill_defaults()
    assert (production.rate_limit_caller_per_s, production.rate_limit_address_per_s) == (100, 200)
    chosen = ServiceSettings(rate_limit_caller_per_s=5, rate_limit_burst_s=2).rate_limits()
    assert (chosen.by_caller.rate_per_s, chosen.by_caller.burst) == (5, 10)


# --- through the guard, on a tiny app ---


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, Path]:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    return private_path.read_bytes(), public_path


@pytest.fixture
def app(keys: tuple[bytes, Path]) -> FastAPI:
    app = FastAPI()
    app.state.verifier = TokenVerifier.from_file(keys[1], "warmlink", "warmlink-dev")
    app.state.rate_limits = RateLimits(
        TokenBuckets(1, 2, clock=Clock()), TokenBuckets(1, 3, clock=Clock())
    )
    problems.install(app)
    router = APIRouter()

    @router.get("/mine")
    async def mine(caller: CallerDep) -> dict[str, str]:
        return {"org": caller.organization_id}

    @router.post("/sign-in")
    async def sign_in() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(router)
    guard.install(app.router.routes)
    return app


def bearer(keys: tuple[bytes, Path], org: str) -> dict[str, str]:
    token = issue_token(keys[0], organization_id=org, role=Role.CLINIC)
    return {"Authorization": f"Bearer {token}"}


def assert_too_many(response: object) -> None:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["type"] == "https://warmlink.dev/problems/too-many-requests"
    assert body["status"] == 429


def test_a_caller_past_the_limit_is_answered_429_and_others_are_not(
    app: FastAPI, keys: tuple[bytes, Path]
) -> None:
    client = TestClient(app)
    oak, elm = bearer(keys, "oak-ob"), bearer(keys, "elm-ob")
    assert [client.get("/mine", headers=oak).status_code for _ in range(2)] == [200, 200]
    assert_too_many(client.get("/mine", headers=oak))
    assert client.get("/mine", headers=elm).status_code == 200


def test_bad_tokens_are_refused_401_and_charge_no_one(
    app: FastAPI, keys: tuple[bytes, Path]
) -> None:
    client = TestClient(app)
    forged = {"Authorization": "Bearer not-a-token"}
    assert {client.get("/mine", headers=forged).status_code for _ in range(20)} == {401}
    assert client.get("/mine", headers=bearer(keys, "oak-ob")).status_code == 200


def test_routes_without_a_bearer_token_are_limited_per_client_address(app: FastAPI) -> None:
    client = TestClient(app)
    statuses = [client.post("/sign-in").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.post("/sign-in", content=b"x" * (2 * 1024 * 1024))
    assert_too_many(refused)  # before its (oversized) body is looked at
    other = TestClient(app, client=("203.0.113.9", 4000))
    assert other.post("/sign-in").status_code == 200
