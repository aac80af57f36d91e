"""Capacity records about to go stale that nobody has been told of yet, and the record that
they were (one per confirmation)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from warmlink.db import Connection

# Confirmed before `$1` (the lead time before stale has begun) and still fresh (after `$2`).
NEARING = """
SELECT c.service_id, c.verified_at, s.organization_id
FROM capacities c JOIN services s ON s.id = c.service_id
WHERE c.verified_at < $1 AND c.verified_at >= $2
  AND NOT EXISTS (SELECT 1 FROM nearing_stale_announcements n
                  WHERE n.service_id = c.service_id AND n.verified_at = c.verified_at)
ORDER BY c.verified_at LIMIT $3
FOR UPDATE OF c SKIP LOCKED"""
MARK = """
INSERT INTO nearing_stale_announcements (service_id, verified_at, announced_at)
VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"""


async def nearing(
    conn: Connection, lead_begun_before: datetime, stale_before: datetime, limit: int
) -> list[asyncpg.Record]:
    """Locked until the transaction ends; rows others hold are skipped."""
    return list(await conn.fetch(NEARING, lead_begun_before, stale_before, limit))


async def mark_announced(
    conn: Connection, service_id: str, verified_at: datetime, now: datetime
) -> None:
    await conn.execute(MARK, service_id, verified_at, now)
