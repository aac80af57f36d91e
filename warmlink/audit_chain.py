"""Checking the audit log's tamper-evident chains (built in the database: warmlink/sql/005).

Each row carries its chain (one of sixteen, so that concurrent transactions need not wait for
each other), its place in that chain (`chain_seq`) and sha256(previous row's hash in the chain ||
its own content). A row edited after it was written no longer matches its hash; a row removed
leaves a gap in its chain's places; a row whose hash was recomputed to hide an edit breaks the
next row's link. The check recomputes every link in one statement and names the first row that
breaks a chain.

What the chains cannot show by themselves: rows removed from their ends. `heads` digests every
chain's last place and hash: keep it elsewhere now and then (`warmlink audit verify` prints it),
and a later check whose chains no longer extend it shows the cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmlink.db import Connection

# Every row with its predecessor in its chain; the first one that does not follow from it.
FIRST_BREAK = """
WITH links AS (
    SELECT a.id, a.chain, a.chain_seq, a.chain_hash,
           lag(a.chain_seq) OVER chain AS previous_seq,
           lag(a.chain_hash) OVER chain AS previous_hash,
           audit_log_content(a) AS content
    FROM audit_log a
    WINDOW chain AS (PARTITION BY a.chain ORDER BY a.chain_seq)
)
SELECT id, chain, chain_seq,
       CASE WHEN chain IS NULL OR chain_seq IS NULL OR chain_hash IS NULL THEN 'not chained'
            WHEN chain_seq <> coalesce(previous_seq, 0) + 1 THEN 'a gap before it in its chain'
            ELSE 'its content or its link does not match its hash' END AS problem
FROM links
WHERE chain IS NULL OR chain_seq IS NULL OR chain_hash IS NULL
   OR chain_seq <> coalesce(previous_seq, 0) + 1
   OR chain_hash <> sha256(coalesce(previous_hash, ''::bytea) || content)
ORDER BY chain NULLS FIRST, chain_seq NULLS FIRST
LIMIT 1"""
# How many rows, in how many chains, and one digest of every chain's last place and hash.
CHAIN_HEADS = """
WITH heads AS (
    SELECT DISTINCT ON (chain) chain, chain_seq, chain_hash FROM audit_log
    WHERE chain IS NOT NULL ORDER BY chain, chain_seq DESC
)
SELECT (SELECT count(*) FROM audit_log) AS rows, count(*) AS chains,
       encode(sha256(convert_to(coalesce(
           string_agg(chain || ':' || chain_seq || ':' || encode(chain_hash, 'hex'), ','
                      ORDER BY chain), ''), 'UTF8')), 'hex') AS heads
FROM heads"""


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    chain: int | None
    chain_seq: int | None
    problem: str


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    chains: int
    heads: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


async def verify_chain(conn: Connection) -> ChainCheck:
    """Recompute every link (a read-only transaction: one consistent view of the log)."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        broken = await conn.fetchrow(FIRST_BREAK)
        head = await conn.fetchrow(CHAIN_HEADS)
    assert head is not None  # an aggregate without GROUP BY always returns its row
    first_break = (
        ChainBreak(broken["id"], broken["chain"], broken["chain_seq"], broken["problem"])
        if broken
        else None
    )
    return ChainCheck(head["rows"], head["chains"], head["heads"], first_break)
