"""SQL for the redirects the network makes by itself (migrations/021): their triggers, found due
by the worker, settled once worked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from contracts.codes import RedirectReason
from services.referral.adapters.referral_repository import APPEND_TIMELINE
from warmlink.db import Connection, Executor
from warmlink.rows import from_row

# A second trigger while one is open (a decline after a missed acknowledgement) replaces it.
RECORD = """
INSERT INTO auto_redirects (referral_id, reason, due_at, proposed_at, created_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (referral_id) WHERE status = 'pending'
DO UPDATE SET reason = excluded.reason, due_at = excluded.due_at,
    proposed_at = excluded.proposed_at, created_at = excluded.created_at"""
DUE = """
SELECT id, referral_id, reason FROM auto_redirects
WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at, id LIMIT $2"""
LOCK_PENDING = """
SELECT id, referral_id, reason FROM auto_redirects
WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED"""
SETTLE = "UPDATE auto_redirects SET status = $2, hold = $3, settled_at = $4 WHERE id = $1"
# The site answered a proposal: the referral stays where it is.
KEEP = """
UPDATE auto_redirects SET status = 'kept', settled_at = $2
WHERE referral_id = $1 AND status = 'pending' AND proposed_at IS NOT NULL
RETURNING id"""
# The network's own view of a referral: no organization filter (the worker acts for nobody).
LOCK_REFERRAL = "SELECT * FROM referrals WHERE id = $1 FOR UPDATE"
REFERRAL = "SELECT * FROM referrals WHERE id = $1"
# Back on her site's list with what the site must do, whatever she was on it for.
HOLD_ON_WORKLIST = """
UPDATE worklist_items
SET status = 'needs_referral', reason = $2, reason_detail = $3, returned_at = $4
WHERE referral_id = $1
RETURNING screening_id"""


@dataclass(frozen=True)
class Trigger:
    id: int
    referral_id: UUID
    reason: RedirectReason


async def record(
    conn: Executor,
    referral_id: UUID,
    reason: RedirectReason,
    due_at: datetime,
    proposed_at: datetime | None,
    now: datetime,
) -> None:
    await conn.execute(RECORD, referral_id, reason, due_at, proposed_at, now)


def _trigger(row: asyncpg.Record) -> Trigger:
    return from_row(Trigger, row, reason=RedirectReason(row["reason"]))


async def due(conn: Connection, now: datetime, limit: int = 20) -> list[Trigger]:
    return [_trigger(r) for r in await conn.fetch(DUE, now, limit)]


async def lock_pending(conn: Connection, trigger_id: int) -> Trigger | None:
    """The trigger if it is still pending and no other worker holds it."""
    row = await conn.fetchrow(LOCK_PENDING, trigger_id)
    return None if row is None else _trigger(row)


async def settle(
    conn: Connection, trigger_id: int, status: str, hold: str | None, now: datetime
) -> None:
    await conn.execute(SETTLE, trigger_id, status, hold, now)


async def keep(conn: Connection, referral_id: UUID, now: datetime) -> bool:
    """True if an open proposal was declined; False if there was none."""
    return await conn.fetchval(KEEP, referral_id, now) is not None


async def referral(conn: Connection, referral_id: UUID, *, lock: bool) -> asyncpg.Record:
    row = await conn.fetchrow(LOCK_REFERRAL if lock else REFERRAL, referral_id)
    assert row is not None, "a trigger's referral exists (foreign key)"
    return row


async def hold_on_worklist(
    conn: Connection, referral_id: UUID, hold: str, detail: str, at: datetime
) -> bool:
    """True if she is on her site's list with the task (a referral from a screen)."""
    return await conn.fetchval(HOLD_ON_WORKLIST, referral_id, hold, detail, at) is not None


async def note(
    conn: Executor,
    referral_id: UUID,
    status: str,
    practice_id: str,
    action: str,
    reason: str,
    actor: tuple[str, str],
    at: datetime,
) -> None:
    """A timeline entry for what the network did or will do (`actor`: subject, organization).
    The network acts here by itself, with no token: the entry has no role."""
    subject, organization = actor
    await conn.execute(
        APPEND_TIMELINE,
        referral_id,
        at,
        status,
        action,
        subject,
        organization,
        practice_id,
        reason,
        None,
        None,
    )
