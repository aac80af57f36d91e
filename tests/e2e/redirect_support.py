"""A network that redirects by itself: directory, screening and referral over the real broker and
database, the region seeded, and the referral service holding the network's client credentials
(as `make run` gives it), with the redirect policy the test module asks for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson

from tests.e2e.conftest import Network, start_network
from tests.support.infra import Infrastructure
from tools.dev.seed import seed_region
from warmlink.auth import Role

NETWORK_ORG = "network-admin"  # the demo region's network organization


@contextmanager
def redirecting_network(
    infra: Infrastructure,
    services: tuple[str, ...] = ("directory", "screening", "referral"),
    **referral_env: str,
) -> Iterator[Network]:
    """`referral_env`: REFERRAL_ settings without the prefix (REDIRECT_POLICY=...)."""
    env = {"WEBHOOK_ALLOW_PRIVATE": "true"}
    stack = start_network(infra, list(services), env, later=("referral",))
    try:
        directory = f"http://127.0.0.1:{stack.ports['directory']}"
        seed_region(directory, stack.signing_key)
        net = Network(stack)
        issued = httpx.post(
            f"{directory}/v1/organizations/{NETWORK_ORG}/clients",
            headers=net.auth(NETWORK_ORG, Role.ADMIN),
        )
        assert issued.status_code == 201, issued.text
        credentials = {
            "DIRECTORY_CLIENT_ID": issued.json()["client_id"],
            "DIRECTORY_CLIENT_SECRET": issued.json()["client_secret"],
            "REDIRECT_POLL_S": "0.2",
        }
        stack.start_service("referral", credentials | referral_env)
        stack.wait_ready("referral")
        yield net
    finally:
        stack.stop()


async def published(net: Network, event_type: str, rid: str) -> list[dict[str, Any]]:
    """The payloads of `event_type` the relay published for referral `rid`, in order."""
    rows = await net.query(
        "referral",
        "SELECT payload FROM outbox WHERE event_type = $1 AND key = $2"
        " AND published_at IS NOT NULL ORDER BY id",
        event_type,
        rid,
    )
    return [orjson.loads(r["payload"])["data"] for r in rows]


async def trigger_status(net: Network, rid: str) -> list[tuple[str, str, str | None]]:
    """(reason, status, hold) of the referral's automatic-redirect triggers, in order."""
    rows = await net.query(
        "referral",
        "SELECT reason, status, hold FROM auto_redirects WHERE referral_id = $1::uuid ORDER BY id",
        rid,
    )
    return [(r["reason"], r["status"], r["hold"]) for r in rows]


SITE_TOLD = """
SELECT n.type, n.payload ->> 'event_type' AS event_type, n.payload ->> 'kind' AS kind
FROM subscription_notifications n JOIN subscriptions s ON s.id = n.subscription_id
WHERE s.organization_id = $1 AND n.payload ->> 'referral_id' = $2 ORDER BY n.queued_seq"""


async def site_told(net: Network, site: str, rid: str) -> list[tuple[str, str | None, str | None]]:
    """(type, event_type, kind) of what the site's webhook subscribers were queued for `rid`."""
    rows = await net.query("referral", SITE_TOLD, site, rid)
    return [(r["type"], r["event_type"], r["kind"]) for r in rows]
