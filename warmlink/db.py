"""Database types, wake-ups after commit and the per-request connection dependencies.

Wake-ups (NOTIFY) are sent after commit, not inside the writing transaction. A transaction that
NOTIFYs takes PostgreSQL's cluster-wide notify lock at commit and keeps it until its commit
record is flushed, so notifying transactions commit one at a time, without group commit: with
the outbox's NOTIFY in every handoff, that capped bench-loop's submissions near 500/s. A writer
marks its pooled connection instead (`notify_after_commit`), and once the pool has it back the
NOTIFY goes out in a transaction that writes nothing, so it has no flush to wait for
(warmlink/pool.py). A wake-up lost to a crash between commit and release only delays: every
listener also polls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Protocol, TypeAlias

import asyncpg
from fastapi import Depends, Request

from warmlink.waits import woken

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # A pooled connection is a proxy with the same interface as a plain one.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

NOTIFY = "SELECT pg_notify($1, '')"

# What an unavailable or lost database raises: a background loop logs it, waits and goes on.
# InternalClientError too: a pooled connection that the server ended while it sat idle (a
# restart, a failover, pg_terminate_backend) can raise it on its next use ("cannot switch to
# state 12; another operation (2) is in progress", asyncpg issue 1069); the pool then replaces
# the connection, so waiting and trying again is the cure, as for the others.
DATABASE_ERRORS = (
    OSError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# Of those, what means the connection itself is gone (a transaction on it cannot continue).
CONNECTION_LOST = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
)
# What a consumer waits out instead of counting against the event: the database is there but
# cannot take the work now, and will when the operator or the other session is done.
# 40 (serialization failure, deadlock), 53 (too many connections, disk full, out of memory),
# 57 (admin or crash shutdown, cannot connect now, a statement timeout or cancel), 58 (I/O
# error), 55P03 (lock_timeout), 25006 (a read-only database: a standby, a failover under way),
# 25P03/25P04 (a session or transaction timeout ended it). An event that is itself at fault
# fails the same way on every try; these do not.
UNAVAILABLE_FOR_NOW = (
    *CONNECTION_LOST,
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.PostgresSystemError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    asyncpg.exceptions.IdleInTransactionSessionTimeoutError,
    asyncpg.exceptions.TransactionTimeoutError,
)


def unavailable_for_now(exc: BaseException) -> bool:
    """`exc`, or what it was raised from, is in UNAVAILABLE_FOR_NOW: a handler that wraps a
    database error in its own does not turn an outage into the event's fault."""
    seen: BaseException | None = exc
    for _ in range(10):  # a cause chain is short; a cycle must not hang a consumer
        if seen is None:
            return False
        if isinstance(seen, UNAVAILABLE_FOR_NOW):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


log = logging.getLogger(__name__)


async def outlast_outages(
    what: str, work: Callable[[], Awaitable[None]], pause_s: float
) -> NoReturn:
    """Run `work` again and again: a database outage or a lost session pauses it, never ends it."""
    while True:
        try:
            await work()
        except DATABASE_ERRORS as exc:
            log.warning(
                f"{what}: database unavailable, retrying", extra={"error": type(exc).__name__}
            )
            await asyncio.sleep(pause_s)


@asynccontextmanager
async def listening(
    pool: asyncpg.Pool, callbacks: Mapping[str, Callable[..., None]]
) -> AsyncIterator[Any]:
    """A pool connection LISTENing on each channel for as long as the block runs. The block
    should end when `is_closed()`: a session that ended hears nothing more."""
    async with pool.acquire() as conn:
        for channel, callback in callbacks.items():
            await conn.add_listener(channel, callback)
        try:
            yield conn
        finally:
            with contextlib.suppress(*DATABASE_ERRORS):
                for channel, callback in callbacks.items():
                    await conn.remove_listener(channel, callback)


async def drain_when_notified(
    what: str,
    pool: asyncpg.Pool,
    channel: str,
    drain: Callable[[], Awaitable[int]],
    poll_s: float,
) -> NoReturn:
    """A queue table's sender: `drain` (how many it tried) runs until it finds nothing, then
    waits for a NOTIFY on `channel` or `poll_s`. A database outage or a lost listening session
    pauses it (the queue waits in its table), never ends it."""
    wake = asyncio.Event()

    def notified(*_: Any) -> None:
        wake.set()

    async def listen_and_drain() -> None:
        async with listening(pool, {channel: notified}) as listener:
            while not listener.is_closed():
                wake.clear()
                while await drain():
                    pass
                await woken(wake, poll_s)

    await outlast_outages(what, listen_and_drain, poll_s)


class Executor(Protocol):
    """What a handler that only writes needs: a connection in a transaction, or a WriteBatch."""

    async def execute(self, query: str, *args: Any) -> str: ...

    def is_in_transaction(self) -> bool: ...


class QueuedWrite(str):
    """What `WriteBatch.execute` returns for a write: its place in the batch. How many rows it
    touched is known only once the batch has run."""

    position: int

    def __new__(cls, position: int) -> QueuedWrite:
        queued = super().__new__(cls, "QUEUED")
        queued.position = position
        return queued


def can_defer_notify(conn: object) -> bool:
    """A service pool's connection (or a proxy of one) or a WriteBatch; not a plain connection."""
    return getattr(conn, "notify_after_release", None) is not None


def defer_notify(conn: object, channel: str) -> bool:
    """Mark `conn` (a service pool's connection, a proxy of one, or a WriteBatch) to NOTIFY
    `channel` after commit; False when it cannot (a plain connection)."""
    if not can_defer_notify(conn):
        return False
    conn.notify_after_release(channel)  # type: ignore[attr-defined]
    return True


async def notify_after_commit(conn: Executor, channel: str, written: str | None = None) -> None:
    """Wake `channel`'s listeners once the caller's transaction has committed. A connection that
    is not a service pool's (tests, tools) NOTIFYs inside the transaction, as it used to.

    `written`: what `execute` returned for the write the listeners care about; no NOTIFY when it
    touched no row (in a batch, that is decided when the batch has run)."""
    if isinstance(written, QueuedWrite):
        conn.notify_after_release(channel, written)  # type: ignore[attr-defined]
        return
    if written is not None and _rows(written) == 0:
        return
    if not defer_notify(conn, channel):
        await conn.execute(NOTIFY, channel)


def _rows(status: str) -> int:
    """Rows a command touched, from its status ("INSERT 0 3", "UPDATE 2", "DELETE 0")."""
    return int(status.rsplit(" ", 1)[-1])


async def _connection(request: Request) -> AsyncIterator[Connection]:
    async with request.app.state.runtime.pool.acquire() as conn:
        yield conn


async def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.runtime.pool
    return pool


ConnectionDep = Annotated[Connection, Depends(_connection)]
# For a route that needs a connection for part of its work only: it acquires one when it must.
PoolDep = Annotated[asyncpg.Pool, Depends(_pool)]
