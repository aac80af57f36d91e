"""The screening service's app under forged tokens and a starved pool, on the real broker and
PostgreSQL: a forged token is refused without taking a database connection (so even while every
request connection is held elsewhere), a request that cannot get a connection is answered 503
with Retry-After after the acquisition timeout instead of waiting for ever, the relay
publishes from a pool of its own meanwhile, and a caller past its rate limit is answered 429
without a connection."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import structlog
from pydantic import SecretStr

from services.screening.bootstrap import build_app
from services.screening.settings import ScreeningSettings
from tests.support.infra import Infrastructure
from tests.support.jwks import JwksServer, serving_jwks
from tests.support.waiting import eventually
from warmlink.auth import Role
from warmlink.crypto import new_key
from warmlink.service import Runtime
from warmlink.tokens import ensure_key_pair, issue_token

T = TypeVar("T")
ACQUIRE_TIMEOUT_S = 0.5


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """The app's lifespan configures JSON logging on the root logger; undo it afterwards."""
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "aiokafka", "kafka")}
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with serving_jwks() as server:
        yield server


class Clients:
    def __init__(
        self, http: httpx.AsyncClient, runtime: Runtime, signing_key: bytes, forger: bytes
    ) -> None:
        self.http, self.runtime = http, runtime
        self.signing_key, self.forger = signing_key, forger

    def token(self, **kwargs: Any) -> str:
        return issue_token(self.signing_key, organization_id="oak-ob", role=Role.CLINIC, **kwargs)

    def forged(self, n: int) -> list[dict[str, str]]:
        """Half name key ids nobody published, half carry a signature by a key nobody knows."""
        forge = self.forger
        tokens = [
            issue_token(forge, organization_id="oak-ob", role=Role.ADMIN, kid=f"forged-{i}")
            if i % 2
            else issue_token(forge, organization_id="oak-ob", role=Role.ADMIN)
            for i in range(n)
        ]
        return [{"Authorization": f"Bearer {t}"} for t in tokens]


@asynccontextmanager
async def screening(
    infra: Infrastructure, database_url: str, tmp_path: Path, jwks_url: str, **extra: Any
) -> AsyncIterator[Clients]:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    forger_path, _ = ensure_key_pair(tmp_path / "forger")
    settings = ScreeningSettings(
        environment="test",
        database_url=database_url,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        kafka_profile=infra.kafka_profile,  # type: ignore[arg-type]
        kafka_topic_prefix=f"t{uuid.uuid4().hex[:8]}.",
        outbox_poll_interval_s=0.2,
        jwt_public_key_file=public_path,
        jwks_url=jwks_url,
        seal_keys=SecretStr("screening-1:" + new_key()),
        database_pool_min=2,
        database_pool_max=2,
        database_acquire_timeout_s=ACQUIRE_TIMEOUT_S,
        **extra,
    )
    app = build_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://screening") as http,
    ):
        keys = private_path.read_bytes(), forger_path.read_bytes()
        yield Clients(http, app.state.runtime, *keys)


@asynccontextmanager
async def every_request_connection_held(runtime: Runtime) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        for _ in range(runtime.settings.database_pool_max):
            await stack.enter_async_context(runtime.pool.acquire())
        assert runtime.pool.get_idle_size() == 0
        yield


async def within(seconds: float, what: str, work: Awaitable[T]) -> T:
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError:
        pytest.fail(f"{what}: no answer within {seconds} s")


def screen() -> dict[str, Any]:
    return {
        "patient_ref": f"mrn-{uuid.uuid4().hex[:8]}",
        "instrument": "PHQ-9",
        "answers": [2, 2, 2, 2, 1, 1, 0, 0, 0],
        "setting": "ob",
        "screened_at": datetime.now(UTC).isoformat(),
    }


async def test_forged_tokens_are_refused_without_a_connection_while_a_valid_client_works(
    infra: Infrastructure, database_url: str, tmp_path: Path, jwks: JwksServer
) -> None:
    async with screening(infra, database_url, tmp_path, jwks.url) as clients:
        forged = clients.forged(100)
        some_id = uuid.uuid4()
        url = f"/v1/screenings/{some_id}"
        async with every_request_connection_held(clients.runtime):
            refusals = await within(
                10,
                "forged tokens while the pool is held",
                asyncio.gather(
                    *(clients.http.get(url, headers=h) for h in forged),
                    *(
                        clients.http.post("/v1/screenings", json=screen(), headers=h)
                        for h in forged
                    ),
                ),
            )
        assert {r.status_code for r in refusals} == {401}
        assert {r.headers["content-type"] for r in refusals} == {"application/problem+json"}
        assert jwks.fetches == 1  # fifty unknown key ids, one shared fetch

        valid = {"Authorization": f"Bearer {clients.token()}"}

        async def valid_client() -> list[int]:
            statuses = []
            for _ in range(20):
                response = await clients.http.post("/v1/screenings", json=screen(), headers=valid)
                statuses.append(response.status_code)
            return statuses

        flood = [clients.http.get(url, headers=h) for h in forged]
        statuses, *flooded = await within(
            30, "a valid client during the flood", asyncio.gather(valid_client(), *flood)
        )
        assert statuses == [201] * 20
        assert {r.status_code for r in flooded} == {401}
        # The positive screens reached the broker: the relay works from its own pool.
        await eventually(
            lambda: clients.runtime.pool.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            ),
            until=lambda n: n == 0,
            what="the relay publishing the valid client's screens",
        )


async def test_a_request_that_cannot_get_a_connection_is_answered_503_after_the_timeout(
    infra: Infrastructure, database_url: str, tmp_path: Path, jwks: JwksServer
) -> None:
    async with screening(infra, database_url, tmp_path, jwks.url) as clients:
        valid = {"Authorization": f"Bearer {clients.token()}"}
        async with every_request_connection_held(clients.runtime):
            starved = await within(
                10 + ACQUIRE_TIMEOUT_S,
                "a valid request while the pool is held",
                clients.http.get(f"/v1/screenings/{uuid.uuid4()}", headers=valid),
            )
            # The relay and the consumers do not share the request pool: they still work.
            relay = clients.runtime.relay
            published = await within(10, "the relay's batch", relay.publish_batch())
        assert starved.status_code == 503
        assert starved.headers["content-type"] == "application/problem+json"
        assert starved.headers["retry-after"] == "1"
        assert "connection" in starved.json()["detail"]
        assert published == 0
        after = await clients.http.get(f"/v1/screenings/{uuid.uuid4()}", headers=valid)
        assert after.status_code == 404  # the pool came back: answered as usual


async def test_a_caller_past_its_rate_is_refused_429_without_a_connection(
    infra: Infrastructure, database_url: str, tmp_path: Path, jwks: JwksServer
) -> None:
    limits = {"rate_limit_caller_per_s": 0.01, "rate_limit_burst_s": 300}  # a burst of 3
    async with screening(infra, database_url, tmp_path, jwks.url, **limits) as clients:
        valid = {"Authorization": f"Bearer {clients.token()}"}
        url = f"/v1/screenings/{uuid.uuid4()}"
        allowed = [(await clients.http.get(url, headers=valid)).status_code for _ in range(3)]
        assert allowed == [404, 404, 404]
        async with every_request_connection_held(clients.runtime):
            refused = await within(
                5, "a request past the rate", clients.http.get(url, headers=valid)
            )
        assert refused.status_code == 429, "a connection would have been a 503 after the timeout"
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["status"] == 429
        other = {"Authorization": f"Bearer {clients.token(subject='another-client')}"}
        assert (await clients.http.get(url, headers=other)).status_code == 404
        health = [(await clients.http.get("/health")).status_code for _ in range(20)]
        assert set(health) == {200}, "the address limit's default is far above this"
