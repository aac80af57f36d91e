"""Suspension reaches what is already open (real PostgreSQL and broker): the webhooks of an
organization the directory has suspended wait undelivered, and an SSE stream it opened before
ends once the directory's JWKS document lists it."""

from __future__ import annotations

import asyncio
import base64
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import structlog
import uvicorn

from services.referral.bootstrap import build_app
from services.referral.settings import ReferralSettings
from services.referral.subscriptions.adapters import claims
from services.referral.subscriptions.adapters.notifications import record_heartbeats
from services.referral.subscriptions.adapters.sealing import seal
from tests.integration.harness import settings_for
from tests.support.infra import Infrastructure
from tests.support.jwks import JwksServer, serving_jwks
from tests.support.waiting import eventually
from tools.dev.processes import free_port
from warmlink.auth import Role
from warmlink.crypto import Keyring
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate
from warmlink.tokens import ensure_key_pair, issue_token

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
PHI_KEY = base64.b64encode(b"k" * 32).decode()
SUBSCRIBE = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret_sealed, last_event_at)
VALUES ($1, $2, 'https://example.org/hook', 60, $3, now() - interval '1 hour')"""


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    """The app's lifespan configures JSON logging on the root logger; undo it afterwards."""
    root = logging.getLogger()
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            root.removeHandler(handler)


async def test_a_suspended_organizations_webhooks_wait_undelivered(database_url: str) -> None:
    keyring = Keyring.single("phi-1", PHI_KEY)
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(
            conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
        )
        for site in ("site-suspended", "site-active"):
            subscription = uuid.uuid4()
            await conn.execute(
                SUBSCRIBE, subscription, site, seal(keyring, subscription, "whsec_x")
            )
        async with conn.transaction():
            assert await record_heartbeats(conn) == 2
        suspended = {"site-suspended"}
        claimed = await claims.claim_due(conn, 10, 30.0, keyring, suspended)
        owners = await conn.fetch(
            "SELECT id, organization_id FROM subscriptions WHERE id = ANY($1::uuid[])",
            [c.subscription_id for c in claimed],
        )
        assert [r["organization_id"] for r in owners] == ["site-active"]
        await conn.execute("UPDATE subscription_notifications SET next_attempt_at = now()")
        reinstated = await claims.claim_due(conn, 10, 30.0, keyring)
        assert len(reinstated) == 2, "reinstated, its notifications go out"
    finally:
        await conn.close()


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with serving_jwks() as server:
        yield server


async def test_an_open_stream_ends_once_its_organization_is_suspended(
    infra: Infrastructure, database_url: str, tmp_path: Path, jwks: JwksServer
) -> None:
    private_path, public_path = ensure_key_pair(tmp_path / "keys")
    # The runtime's test settings (the harness's), as the referral service's, with a JWKS
    # document that lists suspensions and is fetched again after 0.2 s.
    runtime = settings_for(infra, database_url).model_dump(exclude_unset=True)
    settings = ReferralSettings(
        **runtime,
        jwt_public_key_file=public_path,
        jwks_url=jwks.url,
        jwks_max_age_s=0.2,
        phi_key=PHI_KEY,
        webhook_allow_private=True,
    )
    app = build_app(settings)
    token = issue_token(private_path.read_bytes(), organization_id="oak-ob", role=Role.CLINIC)
    auth = {"Authorization": f"Bearer {token}"}
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_config=None, lifespan="on"))
    serving = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await eventually(lambda: _up(http), until=bool, what="the referral service")
            created = await http.post(
                "/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook"}, headers=auth
            )
            assert created.status_code == 201, created.text
            path = f"/v1/subscriptions/{created.json()['id']}/stream"
            async with http.stream("GET", path, headers=auth) as stream:
                assert stream.status_code == 200
                lines = stream.aiter_lines()
                async with asyncio.timeout(20):
                    while "handshake" not in await anext(lines):
                        pass  # open, and it has sent the handshake: it is under way
                    jwks.suspended = ["oak-ob"]
                    rest = [line async for line in lines]  # ends when the server ends it
            assert not any("event:" in line for line in rest), "nothing sent after suspension"
    finally:
        server.should_exit = True
        await serving


async def _up(http: httpx.AsyncClient) -> bool:
    try:
        return (await http.get("/health")).status_code == 200
    except httpx.HTTPError:
        return False
