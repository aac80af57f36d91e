"""Every sealed column of a service, declared once, and the walk that re-seals them.

A service lists its sealed columns in `ServiceSpec.sealed` (`services/<name>/adapters/
sealed_columns.py`): the table, the column, the columns its associated data is made of, and how.
`warmlink seal reseal` walks each in batches, one short transaction per batch, and seals again
with the current key every value that carries another key id. It is resumable by construction:
a batch only picks values not yet on the current key, so a stopped walk started again goes on
where it was. Every other bytea column is declared as not sealed, with why, and a test checks
the migrations create no bytea column missing from both (tests/integration/test_sealed_columns.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection

# Values not on the current key, walked in physical order (a tid keyset: every table has one, so
# no column type has to be declared). The key id is the value's header: 1 length byte, then it.
SELECT_NOT_CURRENT = """
SELECT ctid, {column} AS sealed{reads} FROM {table}
WHERE {column} IS NOT NULL AND ctid > $1::tid
  AND substring({column} FROM 2 FOR get_byte({column}, 0)) <> $2::bytea
ORDER BY ctid LIMIT $3"""
# A batch in one statement, each value only if nobody changed it meanwhile (a writer's newer
# value is already on the current key).
RESEAL_BATCH = """
UPDATE {table} AS t SET {column} = v.fresh
FROM unnest($1::tid[], $2::bytea[], $3::bytea[]) AS v(row_tid, fresh, old)
WHERE t.ctid = v.row_tid AND t.{column} = v.old"""
COUNT_BY_KEY = """
SELECT convert_from(substring({column} FROM 2 FOR get_byte({column}, 0)), 'UTF8') AS kid,
       count(*) AS n
FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 1"""
FIRST_TID = (0, 0)  # (block, line): before every row

# A legacy backfill: seals up to `limit` rows still in clear, returns how many it sealed.
Backfill = Callable[[Connection, Keyring, int], Awaitable[int]]


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    reads: tuple[str, ...]  # the row's columns its associated data is made of
    bound_to: Callable[[Mapping[str, Any]], bytes]  # the associated data, from those columns

    @classmethod
    def by(
        cls, table: str, column: str, key: str, bound_to: Callable[[Any], bytes]
    ) -> SealedColumn:
        """A column bound to one of its row's columns: `bound_to(row[key])`."""
        return cls(table, column, (key,), lambda row: bound_to(row[key]))

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class SealedColumns:
    """A service's registry. `not_sealed`: every other bytea column ("table.column") and why
    it needs no key (a digest, an event payload...). `backfills`: seal rows written in clear
    before a column was sealed, run at start and by the re-seal command."""

    columns: tuple[SealedColumn, ...] = ()
    not_sealed: Mapping[str, str] = field(default_factory=dict)
    backfills: tuple[Backfill, ...] = ()


# The runtime's own bytea columns, in every service's database (warmlink/sql).
RUNTIME_NOT_SEALED = {
    "outbox.payload": "events carry ids, codes and dates only (no name, phone or free text); "
    "deleted after OUTBOX_RETENTION_DAYS",
    "dead_letters.key": "an event's key (an id); purged after DEAD_LETTER_RETENTION_DAYS",
    "dead_letters.value": "an event as received; purged after DEAD_LETTER_RETENTION_DAYS",
    "audit_log.chain_hash": "a SHA-256 over the previous row's hash and this row: no secret",
    "held_back.key": "an event's key (an id), held behind its key's dead letter",
    "held_back.value": "an event as received (ids, codes and dates), held behind its key's "
    "dead letter; deleted once applied after the letter is resolved",
}


@dataclass
class Progress:
    column: str
    resealed: int = 0
    unreadable: int = 0  # values no key in the ring opens: left as they are, counted


async def reseal_column(
    conn: Connection,
    keyring: Keyring,
    column: SealedColumn,
    batch_size: int,
    report: Callable[[Progress], None] = lambda _: None,
) -> Progress:
    """Move every value of `column` onto the current key, one transaction per batch.

    Walked again until a pass moves nothing: a row the service updated meanwhile (another
    column) can move behind the walk's position with its value still on an old key."""
    progress = Progress(column.name)
    while True:
        progress.unreadable = 0  # what the last pass met: the values that stay
        moved = progress.resealed
        await _walk(conn, keyring, column, batch_size, progress, report)
        if progress.resealed == moved:
            return progress


async def _walk(
    conn: Connection,
    keyring: Keyring,
    column: SealedColumn,
    batch_size: int,
    progress: Progress,
    report: Callable[[Progress], None],
) -> None:
    select = SELECT_NOT_CURRENT.format(
        table=column.table, column=column.column, reads="".join(f", {c}" for c in column.reads)
    )
    update = RESEAL_BATCH.format(table=column.table, column=column.column)
    after, current = FIRST_TID, keyring.current.encode()
    while True:
        async with conn.transaction():
            rows = await conn.fetch(select, after, current, batch_size)
            tids, fresh, old = [], [], []
            for row in rows:
                sealed = bytes(row["sealed"])
                try:
                    fresh.append(keyring.reseal(sealed, column.bound_to(dict(row))))
                except CannotOpen:
                    progress.unreadable += 1
                    continue
                tids.append(row["ctid"])
                old.append(sealed)
            if tids:
                done = await conn.execute(update, tids, fresh, old)
                progress.resealed += int(done.split()[-1])
        if not rows:
            return
        after = rows[-1]["ctid"]
        report(progress)


async def count_by_key(conn: Connection, column: SealedColumn) -> dict[str, int]:
    """How many values of `column` each key id sealed: an old key may leave the ring at 0."""
    rows = await conn.fetch(COUNT_BY_KEY.format(table=column.table, column=column.column))
    return {r["kid"]: r["n"] for r in rows}


async def run_backfills(
    conn: Connection, keyring: Keyring, sealed: SealedColumns, batch: int
) -> int:
    """Seal what was stored in clear before its column was sealed, batch by batch."""
    total = 0
    for backfill in sealed.backfills:
        while True:
            async with conn.transaction():
                done = await backfill(conn, keyring, batch)
            if not done:
                break
            total += done
    return total
