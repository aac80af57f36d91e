"""The network as it really runs: services as separate processes, over the broker."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support.browser import launch
from tests.support.infra import Infrastructure
from tools.dev.people import create_portal_client
from tools.dev.processes import free_port
from tools.dev.roles import provision_all
from tools.dev.seed import seed_region
from tools.dev.stack import DevStack, Infra
from warmlink.auth import Role
from warmlink.tokens import issue_token

SERVICES = ("directory", "screening", "referral", "followup", "portal")
NETWORK_ORG = "network-admin"  # the demo region's network organization


class Network:
    def __init__(self, stack: DevStack) -> None:
        self.stack = stack

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.stack.ports[service]}"

    def token(self, org: str, role: Role, **kwargs: object) -> str:
        return issue_token(
            self.stack.signing_key.read_bytes(),
            organization_id=org,
            role=role,
            **kwargs,  # type: ignore[arg-type]
        )

    def auth(self, org: str, role: Role = Role.CLINIC) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(org, role)}"}

    async def query(self, service: str, sql: str, *args: object) -> list[asyncpg.Record]:
        assert self.stack.infra is not None
        conn = await asyncpg.connect(self.stack.infra.database_url_for[service])
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


def start_network(
    infra: Infrastructure,
    services: list[str],
    extra_env: dict[str, str] | None = None,
    *,
    later: tuple[str, ...] = (),
) -> DevStack:
    """`later`: services given their ports and databases but left for the test to start (with
    settings only known once the others run)."""
    state = Path(tempfile.mkdtemp(prefix="warmlink-e2e-"))
    stack = DevStack(state, ports={name: free_port() for name in services})
    databases = {name: infra.create_database(name) for name in services}
    stack.infra = Infra(
        kafka_bootstrap=infra.kafka_bootstrap,
        database_url_for=databases,
        kafka_profile=infra.kafka_profile,
        # Each service as its own least-privilege role, as `make run` and compose run them.
        roles_for=provision_all(
            infra.admin_url, {name: url.rpartition("/")[2] for name, url in databases.items()}
        ),
    )
    stack.common_env = {
        "KAFKA_TOPIC_PREFIX": f"e2e{uuid.uuid4().hex[:6]}.",
        "ENVIRONMENT": "test",
        "OUTBOX_POLL_INTERVAL_S": "0.2",
    } | (extra_env or {})
    now = [name for name in services if name not in later]
    for name in now:
        stack.start_service(name)
    for name in now:
        stack.wait_ready(name)
    return stack


@contextmanager
def seeded_network(
    infra: Infrastructure, services: list[str], extra_env: dict[str, str] | None = None
) -> Iterator[Network]:
    """A network whose directory (one of `services`) holds the demo region, stopped on exit."""
    stack = start_network(infra, services, extra_env)
    try:
        seed_region(f"http://127.0.0.1:{stack.ports['directory']}", stack.signing_key)
        yield Network(stack)
    finally:
        stack.stop()


@contextmanager
def whole_network(
    infra: Infrastructure, extra_env: dict[str, str] | None = None
) -> Iterator[Network]:
    """All five services, the demo region seeded and the portal's client made (as `warmlink
    dev` does), stopped on exit."""
    stack = start_network(infra, list(SERVICES), extra_env, later=("portal",))
    try:
        directory = f"http://127.0.0.1:{stack.ports['directory']}"
        seed_region(directory, stack.signing_key)
        create_portal_client(directory, stack.signing_key, stack.state_dir, NETWORK_ORG)
        stack.start_service("portal")
        stack.wait_ready("portal")
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def network(infra: Infrastructure) -> Iterator[Network]:
    stack = start_network(infra, ["screening", "referral", "followup"])
    try:
        yield Network(stack)
    finally:
        stack.stop()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, for one test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        try:
            yield chromium
        finally:
            chromium.close()
