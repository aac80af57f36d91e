"""Writes that commit together, sent to PostgreSQL as one statement.

A warm handoff writes seven rows or more: the Idempotency-Key with its response, the referral, the
sealed details, the audit row, the timeline entry, the outbox event, the subscribers'
notifications. Sent one by one inside BEGIN ... COMMIT that is ten round trips or more, each a
wake-up of a server process and of ours; on two shared cores those round trips, not the work,
set the pace (bench-loop). Here each write becomes a data-modifying CTE of one statement, and a
statement sent outside a transaction block is its own transaction: one round trip, commit
included.

PostgreSQL's rules for such a statement, which callers rely on:
- Every write sees the snapshot taken when the statement starts: one cannot read, update or
  delete a row that another write of the batch inserts. So writes are INSERT, UPDATE or DELETE
  without RETURNING (the batch adds its own).
- Foreign keys are checked when the statement ends, so a child row may be queued before its
  parent.
- Any error rolls the whole statement back: a duplicate Idempotency-Key aborts the handoff with
  it (`idempotency.run_once_in_one_statement`).
- `SELECT ...` statements (functions with effects: row locks, numbering, NOTIFY) run after every
  write has completed, in the order queued. They are the place for work that takes a contended
  lock: it is held only until the commit that follows.

Handlers written against `Executor` (`execute` and `is_in_transaction`) run unchanged against a
connection inside a transaction or against a batch. A wake-up can wait on one write: pass what
`execute` returned to `notify_after_commit(..., written=)`, and the NOTIFY goes out only if that
write touched a row (the statement returns each write's count).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from warmlink.db import NOTIFY, Connection, QueuedWrite, can_defer_notify, defer_notify

_PARAMETER = re.compile(r"\$(\d+)")
_OTHER_DOLLAR = re.compile(r"\$(?!\d)")
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
_WRITE = ("INSERT", "UPDATE", "DELETE")


class NotBatchable(ValueError):
    """A statement the batch cannot hold (see the module docstring)."""


@functools.lru_cache(maxsize=1024)  # a handler queues the same few statements at the same places
def _renumbered(query: str, offset: int) -> tuple[bool, str]:
    """(is it a write, its text with $n shifted by `offset`), or NotBatchable."""
    text = query.strip()
    if _OTHER_DOLLAR.search(text):
        raise NotBatchable("dollar quoting cannot be renumbered; use $n parameters only")
    first = text.split(None, 1)[0].upper()
    if first in _WRITE:
        if _RETURNING.search(text):
            raise NotBatchable("a batched write cannot return rows")
    elif first != "SELECT":
        raise NotBatchable(f"{first} cannot be batched")
    return first in _WRITE, _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", text)


@functools.lru_cache(maxsize=256)
def _statement(writes: tuple[str, ...], selects: tuple[str, ...]) -> str:
    if not writes:
        raise NotBatchable("a batch needs at least one write")
    ctes = ",\n".join(f"w{i} AS ({sql}\nRETURNING 1)" for i, sql in enumerate(writes))
    counts = [f"(SELECT count(*) FROM w{i})" for i in range(len(writes))]
    written = f"SELECT {' + '.join(counts)} AS n, ARRAY[{', '.join(counts)}] AS each_write"
    lines = [f"WITH {ctes}", f"SELECT * FROM ({written}) AS written"]
    before = "written"
    for i, sql in enumerate(selects):
        lines.append(
            f"CROSS JOIN LATERAL (SELECT count(q) AS n FROM ({sql}) AS q "
            f"WHERE {before}.n IS NOT NULL) AS s{i}"
        )
        before = f"s{i}"
    return "\n".join(lines)


class WriteBatch:
    def __init__(self) -> None:
        self._writes: list[str] = []
        self._selects: list[str] = []
        self._args: list[Any] = []
        # Channel -> the writes whose rows it waits for (None: NOTIFY whatever they touched).
        self._channels: dict[str, set[int] | None] = {}

    def is_in_transaction(self) -> bool:
        """Everything queued commits together, as inside a transaction."""
        return True

    async def execute(self, query: str, *args: Any) -> str:
        """Queue `query` (its own $1..$n) to run with the batch; nothing is sent yet. A write
        returns a QueuedWrite, for `notify_after_commit(..., written=)`."""
        is_write, text = _renumbered(query, len(self._args))
        self._args.extend(args)
        if not is_write:
            self._selects.append(text)
            return "QUEUED"
        self._writes.append(text)
        return QueuedWrite(len(self._writes) - 1)

    def notify_after_release(self, channel: str, written: QueuedWrite | None = None) -> None:
        """Passed on to the connection at commit (see `warmlink.db.notify_after_commit`); with
        `written`, only if that write touched a row."""
        waits_for = self._channels.get(channel, set())
        if written is None or waits_for is None:
            self._channels[channel] = None
        else:
            self._channels[channel] = waits_for | {written.position}

    def statement(self) -> str:
        """The one statement: writes as CTEs, then each select, chained by LATERAL so that it
        cannot start before the writes (and the selects before it) have produced their count.
        `count(q)`, not `count(*)`: it needs every column of the row, so the planner cannot drop
        the select's expressions unevaluated."""
        return _statement(tuple(self._writes), tuple(self._selects))

    async def commit(self, conn: Connection) -> int:
        """Send the batch; returns how many rows the writes touched. Outside a transaction block
        this is the transaction; inside one, it is one round trip of it."""
        channels, self._channels = sorted(self._channels.items()), {}
        after_release = can_defer_notify(conn)
        if not after_release:  # not a service pool's connection: NOTIFY with the commit
            for channel, writes in channels:
                await self.execute(NOTIFY + _if_any_row(writes), channel)
        row = await conn.fetchrow(self.statement(), *self._args)
        assert row is not None
        if after_release:
            each_write: list[int] = row[1]
            for channel, writes in channels:
                if writes is None or any(each_write[i] for i in writes):
                    defer_notify(conn, channel)
        return int(row[0])


def _if_any_row(writes: set[int] | None) -> str:
    """NOTIFY's condition inside the statement: one of `writes` touched a row."""
    if writes is None:
        return ""
    return " WHERE " + " OR ".join(f"EXISTS (SELECT 1 FROM w{i})" for i in sorted(writes))
