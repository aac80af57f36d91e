"""PostgreSQL for the coordinator's task list."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from warmlink.db import Connection

# Open work first; within it urgent first, then the earliest due (overdue ones are earliest).
SITE_TASKS = """
SELECT * FROM tasks
WHERE site_id = $1 AND assignee = 'site_coordinator' AND ($2::text IS NULL OR status = $2)
ORDER BY status <> 'open', urgent DESC, due_at, opened_at
LIMIT $3"""

# The network's coordinator: every site's screens escalated past their site's own task.
NETWORK_TASKS = """
SELECT * FROM tasks
WHERE assignee = 'network_coordinator' AND ($1::text IS NULL OR status = $1)
ORDER BY status <> 'open', urgent DESC, due_at, opened_at
LIMIT $2"""

TASK = "SELECT * FROM tasks WHERE id = $1 AND site_id = $2 AND assignee = 'site_coordinator'"
NETWORK_TASK = "SELECT * FROM tasks WHERE id = $1 AND assignee = 'network_coordinator'"

# A referral's task only: a screen's is settled by referring or closing the screen.
COMPLETE = """
UPDATE tasks SET status = 'completed', closed_at = $3, outcome = $4, barrier = $5,
    re_engaged = $6, closed_by = $7, tried = $8
WHERE id = $1 AND site_id = $2 AND status = 'open' AND referral_id IS NOT NULL
RETURNING *"""


async def for_site(
    conn: Connection, site_id: str, status: str | None, limit: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(SITE_TASKS, site_id, status, limit))


async def for_network(conn: Connection, status: str | None, limit: int) -> list[asyncpg.Record]:
    return list(await conn.fetch(NETWORK_TASKS, status, limit))


async def network_one(conn: Connection, task_id: UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(NETWORK_TASK, task_id)
    return row


async def one(conn: Connection, task_id: UUID, site_id: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(TASK, task_id, site_id)
    return row


async def complete(
    conn: Connection,
    task_id: UUID,
    site_id: str,
    at: datetime,
    outcome: str,
    barrier: str | None,
    re_engaged: bool,
    by: str,
    tried: list[str],
) -> asyncpg.Record | None:
    """The completed task, or None if it is not open (any more)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        COMPLETE, task_id, site_id, at, outcome, barrier, re_engaged, by, tried
    )
    return row
