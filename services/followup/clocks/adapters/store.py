"""PostgreSQL for the clocks: calendars, referral tracks, armed clocks, tasks and breaches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from contracts import new_event_id
from contracts.codes import TaskKind
from services.followup.clocks.domain.rules import Arm, Track
from warmlink.business_time import BUSINESS_HOURS, IntakeWindow
from warmlink.db import Connection
from warmlink.rows import from_row

UPSERT_CALENDAR = """
INSERT INTO practice_calendars (practice_id, time_zone, intake_hours, updated_at)
VALUES ($1, $2, $3::jsonb, $4)
ON CONFLICT (practice_id) DO UPDATE SET
    time_zone = excluded.time_zone, intake_hours = excluded.intake_hours,
    updated_at = excluded.updated_at
WHERE practice_calendars.updated_at <= excluded.updated_at"""

CALENDAR = "SELECT time_zone, intake_hours FROM practice_calendars WHERE practice_id = $1"

INSERT_TRACK = """
INSERT INTO referral_tracks (referral_id, site_id, practice_id, setting, urgent, status,
    submitted_at, discharge_summary_sent, appointment_needed_by, provider_confirmation_required,
    updated_at)
VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $6)
ON CONFLICT (referral_id) DO NOTHING"""

TRACK = "SELECT * FROM referral_tracks WHERE referral_id = $1"

SET_STATUS = """
UPDATE referral_tracks SET status = $2, practice_id = coalesce($3, practice_id), updated_at = $4
WHERE referral_id = $1
RETURNING *"""

# What the gate waits for, recorded as the events say it (each UPDATE is idempotent).
SUMMARY_DELIVERED = """
UPDATE referral_tracks SET discharge_summary_sent = true, updated_at = greatest(updated_at, $2)
WHERE referral_id = $1
RETURNING *"""

PROVIDER_CONFIRMED = """
UPDATE referral_tracks SET provider_confirmed = true, updated_at = greatest(updated_at, $2)
WHERE referral_id = $1
RETURNING *"""

MOVE_GATE = """
UPDATE referral_tracks SET appointment_needed_by = $2, updated_at = greatest(updated_at, $3)
WHERE referral_id = $1
RETURNING *"""

ARM = """
INSERT INTO clocks (id, referral_id, kind, practice_id, fire_at, due_at, armed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (referral_id, kind, armed_by) DO NOTHING"""

# SKIP LOCKED: two replicas never fire one clock; a crash before commit leaves it to fire again.
DUE_CLOCKS = """
SELECT id, referral_id, screening_id, kind, practice_id, fire_at, due_at FROM clocks
WHERE fired_at IS NULL AND fire_at <= $1
ORDER BY fire_at LIMIT $2
FOR UPDATE SKIP LOCKED"""

MARK_FIRED = "UPDATE clocks SET fired_at = $2, note = $3 WHERE id = $1"

RETRY_LATER = "UPDATE clocks SET fire_at = $2, note = 'failed: ' || $3 WHERE id = $1"

NEXT_FIRE = "SELECT min(fire_at) FROM clocks WHERE fired_at IS NULL"

OPEN_TASK_KINDS = "SELECT kind FROM tasks WHERE referral_id = $1 AND status = 'open'"

OPEN_TASK = """
INSERT INTO tasks (id, referral_id, site_id, practice_id, kind, urgent, opened_at, due_at, source)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (referral_id, kind, source) DO NOTHING
RETURNING id"""

SETTLE_TASKS = """
UPDATE tasks SET status = 'resolved', closed_at = $3, closed_by = $4
WHERE referral_id = $1 AND status = 'open' AND kind = ANY($2::text[])"""

RECORD_BREACH = """
INSERT INTO sla_breaches (id, referral_id, site_id, practice_id, kind, urgent, due_at, detected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"""


async def save_calendar(
    conn: Connection, practice_id: str, time_zone: str, hours: list[dict[str, Any]], at: datetime
) -> None:
    await conn.execute(UPSERT_CALENDAR, practice_id, time_zone, orjson.dumps(hours).decode(), at)


async def calendar(
    conn: Connection, practice_id: str, default_zone: str
) -> tuple[str, tuple[IntakeWindow, ...]]:
    """The practice's zone and intake windows; the network's default zone and hours if unknown."""
    row = await conn.fetchrow(CALENDAR, practice_id)
    if row is None:
        return default_zone, BUSINESS_HOURS
    hours = orjson.loads(row["intake_hours"])
    windows = tuple(IntakeWindow.parse(h["weekday"], h["opens"], h["closes"]) for h in hours)
    return row["time_zone"], windows or BUSINESS_HOURS


async def add_track(conn: Connection, t: Track) -> bool:
    status = await conn.execute(
        INSERT_TRACK,
        UUID(t.referral_id),
        t.site_id,
        t.practice_id,
        t.setting,
        t.urgent,
        t.submitted_at,
        t.discharge_summary_sent,
        t.appointment_needed_by,
        t.provider_confirmation_required,
    )
    return bool(status.endswith(" 1"))


async def track(conn: Connection, referral_id: UUID) -> Track | None:
    return _track(await conn.fetchrow(TRACK, referral_id))


def _track(row: asyncpg.Record | None) -> Track | None:
    return None if row is None else from_row(Track, row, referral_id=str(row["referral_id"]))


async def set_status(
    conn: Connection, referral_id: UUID, status: str, practice_id: str | None, at: datetime
) -> Track | None:
    """The track as it now is; None when the referral has no track."""
    return _track(await conn.fetchrow(SET_STATUS, referral_id, status, practice_id, at))


async def summary_delivered(conn: Connection, referral_id: UUID, at: datetime) -> Track | None:
    return _track(await conn.fetchrow(SUMMARY_DELIVERED, referral_id, at))


async def provider_confirmed(conn: Connection, referral_id: UUID, at: datetime) -> Track | None:
    return _track(await conn.fetchrow(PROVIDER_CONFIRMED, referral_id, at))


async def move_gate(
    conn: Connection, referral_id: UUID, needed_by: datetime, at: datetime
) -> Track | None:
    return _track(await conn.fetchrow(MOVE_GATE, referral_id, needed_by, at))


async def arm(conn: Connection, referral_id: UUID, arms: Sequence[Arm], armed_by: UUID) -> None:
    await conn.executemany(
        ARM,
        [
            (
                new_event_id(),
                referral_id,
                a.kind.value,
                a.practice_id,
                a.fire_at,
                a.due_at,
                armed_by,
            )
            for a in arms
        ],
    )


async def open_task_kinds(conn: Connection, referral_id: UUID) -> frozenset[TaskKind]:
    return frozenset(TaskKind(r["kind"]) for r in await conn.fetch(OPEN_TASK_KINDS, referral_id))


async def open_task(
    conn: Connection, t: Track, kind: TaskKind, opened_at: datetime, due_at: datetime, source: str
) -> UUID | None:
    """Opens the task unless this source already opened it; returns its id if it is new."""
    task_id: UUID | None = await conn.fetchval(
        OPEN_TASK,
        new_event_id(),
        UUID(t.referral_id),
        t.site_id,
        t.practice_id,
        kind.value,
        t.urgent,
        opened_at,
        due_at,
        source,
    )
    return task_id


async def settle_tasks(
    conn: Connection, referral_id: UUID, kinds: frozenset[TaskKind], at: datetime, by: str
) -> None:
    if kinds:
        await conn.execute(SETTLE_TASKS, referral_id, [k.value for k in kinds], at, by)


async def record_breach(
    conn: Connection, t: Track, kind: str, due_at: datetime, detected_at: datetime
) -> None:
    await conn.execute(
        RECORD_BREACH,
        new_event_id(),
        UUID(t.referral_id),
        t.site_id,
        t.practice_id,
        kind,
        t.urgent,
        due_at,
        detected_at,
    )
