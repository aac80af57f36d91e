"""Waiting for the network to settle after the last fault: every service ready, every outbox
published, every consumer caught up with the broker, every published event applied by each
consumer group that handles it, no webhook notification pending, and the follow-up service's
invariant (`warmlink invariant`) at zero -- all at the same moment.

The consumer lag alone cannot say a group has caught up: a consumer that was just restarted
has no partitions yet (so no lag to report), and a batch fetched but not yet applied is no
longer lag. A fresh campaign run read lag 0 while the portal's restarted consumer still had two
events to apply, and called them lost; so the databases' inboxes are asked too."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg
import httpx

from tools.cli.invariant import fetch_report
from tools.faults.checks import events_applied
from tools.faults.network import Network
from warmlink.auth import Role

SETTLE_DEADLINE_S = 180.0
ASK_EVERY_S = 0.5
CONNECT_TIMEOUT_S = 5.0

UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
PENDING_NOTIFICATIONS = "SELECT count(*) FROM subscription_notifications WHERE status = 'pending'"
LAG_METRIC = "warmlink_consumer_lag{"


@dataclass(frozen=True)
class Backlog:
    """What still keeps the network from being settled; all zero (and ready) when it is."""

    not_ready: tuple[str, ...]
    unpublished: int
    consumer_lag: int
    pending_webhooks: int
    unwatched: int  # the invariant's violations (-1: it could not be asked)
    unapplied: int  # published events a consumer group has yet to apply (-1: not asked)

    @property
    def settled(self) -> bool:
        return (
            not self.not_ready
            and self.unpublished
            == self.consumer_lag
            == self.pending_webhooks
            == self.unwatched
            == self.unapplied
            == 0
        )

    def __str__(self) -> str:
        return (
            f"not ready {list(self.not_ready)}, outbox {self.unpublished}, "
            f"consumer lag {self.consumer_lag}, pending webhooks {self.pending_webhooks}, "
            f"unwatched {self.unwatched}, unapplied {self.unapplied}"
        )


async def backlog(net: Network) -> Backlog:
    names = list(net.stack.ports)
    async with httpx.AsyncClient(timeout=10.0) as http:
        ready = await asyncio.gather(*(_ready(http, net, n) for n in names))
        not_ready = tuple(n for n, ok in zip(names, ready, strict=True) if not ok)
        lags = await asyncio.gather(*(_lag(http, net, n) for n in names))
    unpublished = sum(await asyncio.gather(*(_count(net, n, UNPUBLISHED) for n in names)))
    pending = await _count(net, "referral", PENDING_NOTIFICATIONS)
    unwatched = await _unwatched(net)
    return Backlog(not_ready, unpublished, sum(lags), pending, unwatched, await _unapplied(net))


async def wait_settled(net: Network, deadline_s: float = SETTLE_DEADLINE_S) -> tuple[bool, Backlog]:
    """(settled, the last backlog seen) once settled or after `deadline_s`."""
    deadline = time.monotonic() + deadline_s
    while True:
        seen = await backlog(net)
        if seen.settled or time.monotonic() >= deadline:
            return seen.settled, seen
        await asyncio.sleep(ASK_EVERY_S)


async def _ready(http: httpx.AsyncClient, net: Network, name: str) -> bool:
    try:
        return (await http.get(net.url(name) + "/ready")).status_code == 200
    except httpx.HTTPError:
        return False


async def _lag(http: httpx.AsyncClient, net: Network, name: str) -> int:
    """The service's consumers' records not yet fetched (0 when it has none); a service that does
    not answer counts as lagging."""
    token = net.token(net.admin_org, Role.ADMIN)
    try:
        answer = await http.get(
            net.url(name) + "/metrics", headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError:
        return 1
    if answer.status_code != 200:
        return 1
    lines = answer.text.splitlines()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in lines if line.startswith(LAG_METRIC))


async def _count(net: Network, service: str, sql: str) -> int:
    try:
        conn = await asyncpg.connect(net.database_url(service), timeout=CONNECT_TIMEOUT_S)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return 1  # the database is not answering: not settled
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()


async def _unapplied(net: Network) -> int:
    try:
        return (await events_applied(net)).failures
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return -1  # a database is not answering: not settled


async def _unwatched(net: Network) -> int:
    token = net.token(net.admin_org, Role.ADMIN)
    try:
        report = await asyncio.to_thread(fetch_report, net.url("followup"), token, 10.0)
    except httpx.HTTPError:
        return -1
    return int(report["count"])
