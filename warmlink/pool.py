"""The services' PostgreSQL pool: what a connection leaves behind when it is given back.

asyncpg's pool sends a reset query on every release (advisory unlock, CLOSE ALL, UNLISTEN *,
RESET ALL): one more round trip per request, about 100 µs of latency and 45 µs of our CPU here,
besides the server's. Our connections take session state in two ways only, and both mark the
connection: LISTEN (`add_listener`, overridden below) and a session advisory lock (the relay's
leadership, the migrations' lock: `holds_session_state`). Only a marked connection gets the
reset query; asyncpg itself still rolls back a transaction left open, on every release. Anything
else that outlives a transaction (a SET without LOCAL, a temporary table, a session lock taken
without `holds_session_state`) would reach the connection's next user: mark the connection.

The NOTIFYs a transaction marked (`warmlink.db.notify_after_commit`) go out on release, so after
the commit, in a statement of their own (with the reset query when there is one): a transaction
that writes nothing, with no flush to wait for. Sending them from a separate task on another
connection instead, coalesced, measured slower: bench-backbone fell from about 6,400 to about
5,300 events/s.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import asyncpg

from warmlink import errors
from warmlink.settings import ServiceSettings

log = logging.getLogger(__name__)

_CHANNEL = re.compile(r"[a-z_][a-z0-9_]*")


class ServiceConnection(asyncpg.Connection):
    """A service pool's connection: the channels to NOTIFY after its release, and whether it
    holds session state that the release must reset."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._notify_after_release: set[str] = set()
        self._session_state = False

    def notify_after_release(self, channel: str) -> None:
        if not _CHANNEL.fullmatch(channel):  # it is written into the NOTIFY statement's text
            raise ValueError(f"not a channel name: {channel!r}")
        self._notify_after_release.add(channel)

    def take_notifications(self) -> set[str]:
        channels, self._notify_after_release = self._notify_after_release, set()
        return channels

    def hold_session_state(self) -> None:
        self._session_state = True

    def take_session_state(self) -> bool:
        held, self._session_state = self._session_state, False
        return held

    async def add_listener(self, channel: str, callback: Any) -> None:
        self.hold_session_state()  # LISTEN outlives the transaction: UNLISTEN on release
        await super().add_listener(channel, callback)


class PoolExhausted(errors.Unavailable):
    """No connection came free within the pool's acquisition timeout: answered 503 with
    Retry-After, so a request gives up instead of waiting behind every other one."""

    retry_after_s = 1


class ServicePool(asyncpg.Pool):
    """A pool whose `acquire()` gives up after `acquire_timeout_s` (None: waits as long as it
    takes) and says so with `PoolExhausted`. Every acquisition goes through `_acquire`, those of
    `pool.fetchval()` and friends too."""

    acquire_timeout_s: float | None = None

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 (asyncpg's own)
        limit = timeout if timeout is not None else self.acquire_timeout_s
        try:
            return await super()._acquire(limit)  # type: ignore[misc]
        except TimeoutError:
            if timeout is not None:  # the caller chose this limit: its own TimeoutError
                raise
            raise PoolExhausted(
                f"no database connection came free within {limit:g} s; try again shortly"
            ) from None


def holds_session_state(conn: object) -> None:
    """Before taking a session advisory lock (or other session state) on a pooled connection:
    its release then resets it on the server. A plain connection needs nothing."""
    mark = getattr(conn, "hold_session_state", None)
    if mark is not None:
        mark()


async def reset_on_release(conn: asyncpg.Connection) -> None:
    """The pool's reset (asyncpg has already rolled back a transaction left open)."""
    if not isinstance(conn, ServiceConnection):
        await conn.execute(conn.get_reset_query())
        return
    channels = sorted(conn.take_notifications())
    statement = "".join(f"SELECT pg_notify('{channel}', '');" for channel in channels)
    if conn.take_session_state():
        statement += conn.get_reset_query()
    if statement:
        await conn.execute(statement)


async def create_pool(
    settings: ServiceSettings,
    max_size: int | None = None,
    *,
    min_size: int | None = None,
    acquire_timeout_s: float | None = None,
) -> asyncpg.Pool:
    """A service's pool (sizes default to the settings'), waiting for the database to accept
    connections (it may still be starting). `acquire_timeout_s`: see `ServicePool`."""
    for attempt in range(1, 31):
        try:
            size = max_size or settings.database_pool_max
            pool = ServicePool(
                settings.database_url,
                min_size=min(size, settings.database_pool_min if min_size is None else min_size),
                max_size=size,
                max_queries=50_000,  # asyncpg.create_pool's defaults, which Pool() has not
                max_inactive_connection_lifetime=300.0,
                loop=None,
                record_class=asyncpg.Record,
                # Index costs for data that lives in memory or on SSD. plan_cache_mode stays
                # PostgreSQL's `auto`: forcing custom plans (once needed by matching in SQL, now
                # in memory) re-planned every statement, and planning the warm handoff's
                # one-statement batch cost more than running it.
                server_settings={"random_page_cost": "1.1"},
                connection_class=ServiceConnection,
                reset=reset_on_release,
            )
            pool.acquire_timeout_s = acquire_timeout_s
            await pool
            return pool
        except (OSError, asyncpg.CannotConnectNowError) as exc:
            log.warning("database not ready", extra={"error": type(exc).__name__})
            await asyncio.sleep(min(0.2 * attempt, 2.0))
    raise RuntimeError("database unreachable")
