"""Request bodies over the limit, over real HTTP: refused 413 (problem+json) before they are read,
whether the client declared the length or streamed the body in chunks, with a token or without;
a body sent to an authenticated route without a valid token is refused 401 before it is read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from warmlink.auth import Role

LIMIT = 256 * 1024
SITE = "oak-ob"
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
def limits_network(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["directory", "screening"], {"MAX_BODY_BYTES": str(LIMIT)})
    try:
        yield Network(stack)
    finally:
        stack.stop()


def screen(padding: int = 0) -> bytes:
    body: dict[str, Any] = {
        "instrument": "PHQ-9",
        "answers": [0, 0, 1, 0, 0, 1, 0, 0, 0],
        "patient_ref": f"mrn-{uuid.uuid4().hex[:8]}",
        "setting": "ob",
        "screened_at": datetime.now(UTC).isoformat(),
    }
    if padding:
        body["note"] = "x" * padding  # never read: the body is refused first
    return orjson.dumps(body)


async def chunked(content: bytes) -> AsyncIterator[bytes]:
    """No Content-Length: httpx sends a generator with Transfer-Encoding: chunked."""
    for start in range(0, len(content), CHUNK):
        yield content[start : start + CHUNK]


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["max_bytes"] == LIMIT


async def test_oversized_bodies_are_refused_before_they_are_read(
    limits_network: Network,
) -> None:
    token = {"Authorization": f"Bearer {limits_network.token(SITE, Role.CLINIC)}"}
    json = {"Content-Type": "application/json"}
    big = screen(padding=2 * LIMIT)
    async with httpx.AsyncClient(base_url=limits_network.url("screening"), timeout=30) as client:
        for headers in ({}, token):
            declared = await client.post("/v1/screenings", content=big, headers=json | headers)
            assert "content-length" in declared.request.headers
            assert_too_large(declared)
        streamed = await client.post("/v1/screenings", content=chunked(big), headers=json | token)
        assert streamed.request.headers["transfer-encoding"] == "chunked"
        assert_too_large(streamed)
        # Without a token the route refuses before reading a byte of the stream.
        anonymous = await client.post("/v1/screenings", content=chunked(big), headers=json)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        # A body within the limit is served as before.
        normal = await client.post("/v1/screenings", content=screen(), headers=json | token)
        assert normal.status_code == 201, normal.text


async def test_a_public_route_counts_a_streamed_body_too(limits_network: Network) -> None:
    """The token endpoint takes a form without a bearer token: its body is bounded as well."""
    form = b"grant_type=client_credentials&client_id=x&client_secret=" + b"y" * (2 * LIMIT)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with httpx.AsyncClient(base_url=limits_network.url("directory"), timeout=30) as client:
        streamed = await client.post("/oauth/token", content=chunked(form), headers=headers)
        assert streamed.request.headers["transfer-encoding"] == "chunked"
        assert_too_large(streamed)
        declared = await client.post("/oauth/token", content=form, headers=headers)
        assert_too_large(declared)
