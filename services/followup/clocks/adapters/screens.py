"""PostgreSQL for the positive screens' clocks: their tracks, clocks and coordinators' tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts import new_event_id
from services.followup.clocks.domain.screens import OPEN, UNREFERRED_SCREEN, ScreenArm, ScreenTrack
from warmlink.db import Connection
from warmlink.rows import from_row

# A track may exist before ScreenPositive arrives (a referral or closure read first, from another
# topic): the screen then fills in its time, and its clocks are armed only if it is still open.
ADD_SCREEN = """
INSERT INTO screen_tracks (screening_id, site_id, urgent, screened_at, updated_at)
VALUES ($1, $2, $3, $4, $4)
ON CONFLICT (screening_id) DO UPDATE SET screened_at = excluded.screened_at,
    urgent = excluded.urgent
WHERE screen_tracks.screened_at IS NULL
RETURNING status"""

ACCOUNT = """
INSERT INTO screen_tracks (screening_id, site_id, urgent, status, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (screening_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at
WHERE screen_tracks.status = 'open'"""

ASSESSED = """
INSERT INTO screen_tracks (screening_id, site_id, urgent, safety_outcome, updated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (screening_id) DO UPDATE SET safety_outcome = excluded.safety_outcome,
    updated_at = excluded.updated_at"""

TRACK = "SELECT * FROM screen_tracks WHERE screening_id = $1"

ARM = """
INSERT INTO clocks (id, screening_id, kind, fire_at, due_at, armed_by)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (screening_id, kind, armed_by) DO NOTHING"""

# A referred or closed screen stops its clocks: they are marked fired, with the reason.
STOP_CLOCKS = """
UPDATE clocks SET fired_at = $2, note = 'stopped: screen ' || $3
WHERE screening_id = $1 AND fired_at IS NULL"""

OPEN_TASK = """
INSERT INTO tasks (id, screening_id, site_id, kind, urgent, opened_at, due_at, source, assignee)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (screening_id, kind, source) DO NOTHING
RETURNING id"""

SETTLE_TASKS = """
UPDATE tasks SET status = 'resolved', closed_at = $2, closed_by = $3
WHERE screening_id = $1 AND status = 'open'"""


async def add_screen(
    conn: Connection, screening_id: UUID, site_id: str, urgent: bool, at: datetime
) -> bool:
    """True when the screen is new here and still open: its clocks are to be armed."""
    status = await conn.fetchval(ADD_SCREEN, screening_id, site_id, urgent, at)
    return bool(status == OPEN)


async def account(
    conn: Connection,
    screening_id: UUID,
    site_id: str,
    urgent: bool,
    status: str,
    at: datetime,
    why: str,
) -> None:
    """The screen was referred or closed: stop its clocks and settle its open tasks."""
    await conn.execute(ACCOUNT, screening_id, site_id, urgent, status, at)
    await conn.execute(STOP_CLOCKS, screening_id, at, status)
    await conn.execute(SETTLE_TASKS, screening_id, at, why)


async def assessed(
    conn: Connection, screening_id: UUID, site_id: str, urgent: bool, outcome: str, at: datetime
) -> None:
    await conn.execute(ASSESSED, screening_id, site_id, urgent, outcome, at)


async def track(conn: Connection, screening_id: UUID) -> ScreenTrack:
    row = await conn.fetchrow(TRACK, screening_id)
    assert row is not None  # clocks reference their track
    return from_row(ScreenTrack, row, screening_id=str(row["screening_id"]))


async def arm(
    conn: Connection, screening_id: UUID, arms: Sequence[ScreenArm], armed_by: UUID
) -> None:
    await conn.executemany(
        ARM,
        [(new_event_id(), screening_id, a.kind.value, a.fire_at, a.due_at, armed_by) for a in arms],
    )


async def open_task(
    conn: Connection,
    t: ScreenTrack,
    assignee: str,
    opened_at: datetime,
    due_at: datetime,
    source: str,
) -> UUID | None:
    """Opens the task unless this source already opened it; returns its id if it is new."""
    task_id: UUID | None = await conn.fetchval(
        OPEN_TASK,
        new_event_id(),
        UUID(t.screening_id),
        t.site_id,
        UNREFERRED_SCREEN,
        t.urgent,
        opened_at,
        due_at,
        source,
        assignee,
    )
    return task_id


# The next clock of each of a site's open screens: what the site's worklist shows as its deadline.
SITE_CLOCKS = """
SELECT DISTINCT ON (s.screening_id)
       s.screening_id, s.urgent, s.screened_at, s.safety_outcome, c.kind, c.fire_at
FROM screen_tracks s
JOIN clocks c ON c.screening_id = s.screening_id AND c.fired_at IS NULL
WHERE s.site_id = $1 AND s.status = 'open'
ORDER BY s.screening_id, c.fire_at
LIMIT $2"""


async def site_clocks(conn: Connection, site_id: str, limit: int) -> list[Any]:
    return list(await conn.fetch(SITE_CLOCKS, site_id, limit))
