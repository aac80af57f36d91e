"""The services' PostgreSQL pool: what a connection leaves behind when it is given back.

asyncpg's pool sends a reset query on every release (advisory unlock, CLOSE ALL, UNLISTEN *,
RESET ALL): one more round trip per request, about 100 µs of latency and 45 µs of our CPU here,
besides the server's. Our connections take session state in two ways only, and both mark the
connection: LISTEN (`add_listener`, overridden below) and a session advisory lock (the relay's
leadership, the migrations' lock: `holds_session_state`). Only a marked connection gets the
reset query; asyncpg itself still rolls back a transaction left open, on every release.

The NOTIFYs a transaction marked (`warmlink.db.notify_after_commit`) are rung by the pool's
`WakeUps` once the connection is back, so after the commit, on a connection of their own: at most
one NOTIFY per batch of marks is in flight, and marks that arrive meanwhile get one more after it,
never one sent before their commit (the relay would look, find nothing and sleep).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Any

import asyncpg

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


def holds_session_state(conn: object) -> None:
    """Before taking a session advisory lock (or other session state) on a pooled connection:
    its release then resets it on the server. A plain connection needs nothing."""
    mark = getattr(conn, "hold_session_state", None)
    if mark is not None:
        mark()


class WakeUps:
    """The pool's reset on release, and the NOTIFYs it rings afterwards."""

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None
        self._pending: set[str] = set()
        self._ringing: asyncio.Task[None] | None = None

    def attach(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def reset(self, conn: asyncpg.Connection) -> None:
        if not isinstance(conn, ServiceConnection):
            await conn.execute(conn.get_reset_query())
            return
        if conn.take_session_state():
            await conn.execute(conn.get_reset_query())
        channels = conn.take_notifications()
        if channels:
            self._pending |= channels
            if self._ringing is None or self._ringing.done():
                self._ringing = asyncio.get_running_loop().create_task(self._ring())

    async def _ring(self) -> None:
        assert self._pool is not None, "attach the pool first"
        while self._pending:
            channels, self._pending = sorted(self._pending), set()
            notify = "".join(f"SELECT pg_notify('{channel}', '');" for channel in channels)
            try:
                async with self._pool.acquire() as conn:
                    await conn.execute(notify)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # A lost wake-up only delays: every listener also polls.
                log.warning("wake-up not sent", extra={"error": type(exc).__name__})

    async def drain(self) -> None:
        """Before the pool closes: let the last wake-ups go out."""
        if self._ringing is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._ringing), 5)
