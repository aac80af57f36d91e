"""Checking the audit log's tamper-evident chain (built in the database: warmlink/sql/005).

Each row carries its place in the chain (`chain_seq`) and sha256(previous row's hash || its own
content). A row edited after it was written no longer matches its hash; a row removed leaves a gap
in the places; a row whose hash was recomputed to hide an edit breaks the next row's link. The
check recomputes every link in one statement and names the first row that breaks the chain.

What the chain cannot show by itself: rows removed from its end. Keep the last place and hash
elsewhere now and then (`warmlink audit verify` prints them) to notice that too.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmlink.db import Connection

# Every row with its predecessor in the chain, the first one that does not follow from it.
FIRST_BREAK = """
WITH links AS (
    SELECT a.id, a.chain_seq, a.chain_hash,
           lag(a.chain_seq) OVER chain AS previous_seq,
           lag(a.chain_hash) OVER chain AS previous_hash,
           audit_log_content(a) AS content
    FROM audit_log a
    WINDOW chain AS (ORDER BY a.chain_seq)
)
SELECT id, chain_seq,
       CASE WHEN chain_seq IS NULL OR chain_hash IS NULL THEN 'not chained'
            WHEN chain_seq <> coalesce(previous_seq, 0) + 1 THEN 'a gap before it in the chain'
            ELSE 'its content or its link does not match its hash' END AS problem
FROM links
WHERE chain_seq IS NULL OR chain_hash IS NULL
   OR chain_seq <> coalesce(previous_seq, 0) + 1
   OR chain_hash <> sha256(coalesce(previous_hash, ''::bytea) || content)
ORDER BY chain_seq NULLS FIRST
LIMIT 1"""
CHAIN_HEAD = """
SELECT count(*) AS rows, max(chain_seq) AS last_seq,
       (SELECT encode(chain_hash, 'hex') FROM audit_log ORDER BY chain_seq DESC NULLS LAST LIMIT 1)
           AS last_hash
FROM audit_log"""


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    chain_seq: int | None
    problem: str


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    last_seq: int | None
    last_hash: str | None
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


async def verify_chain(conn: Connection) -> ChainCheck:
    """Recompute every link (a read-only transaction: one consistent view of the log)."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        broken = await conn.fetchrow(FIRST_BREAK)
        head = await conn.fetchrow(CHAIN_HEAD)
    assert head is not None  # an aggregate without GROUP BY always returns its row
    first_break = (
        ChainBreak(broken["id"], broken["chain_seq"], broken["problem"]) if broken else None
    )
    return ChainCheck(head["rows"], head["last_seq"], head["last_hash"], first_break)
