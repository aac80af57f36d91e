"""SQL for a positive screen's accounting: its closure (the note sealed), its safety assessment,
its escalations and its own timeline."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from services.referral.adapters.worklist_repository import ITEM_COLUMNS
from services.referral.domain.worklist import WorklistItem
from warmlink.crypto import Keyring
from warmlink.db import Connection
from warmlink.rows import from_row

SITE_ITEM = f"SELECT {ITEM_COLUMNS} FROM worklist_items WHERE screening_id = $1 AND site_id = $2"
LOCK_SITE_ITEM = SITE_ITEM + " FOR UPDATE"
# The network's consumers read any screen, by id.
LOCK_ITEM = f"SELECT {ITEM_COLUMNS} FROM worklist_items WHERE screening_id = $1 FOR UPDATE"

CLOSE = """
UPDATE worklist_items SET status = 'closed', closure_reason = $2, closure_note_sealed = $3,
    closed_at = $4, closed_by = $5
WHERE screening_id = $1"""
NOTE = "SELECT closure_note_sealed FROM worklist_items WHERE screening_id = $1 AND site_id = $2"
ASSESS = """
UPDATE worklist_items SET safety_outcome = $2, safety_assessed_at = $3, safety_assessed_by = $4
WHERE screening_id = $1"""
# A later level never goes back to an earlier one (events of one screen arrive in order anyway).
ESCALATE = """
UPDATE worklist_items SET escalation = $2, escalated_at = $3
WHERE screening_id = $1 AND (escalation IS NULL OR escalation <> 'network_coordinator')"""

APPEND = """
INSERT INTO worklist_timeline (screening_id, at, action, actor, organization_id, reason, event_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (event_id, action) WHERE event_id IS NOT NULL DO NOTHING"""
TIMELINE = """
SELECT at, action, actor, organization_id, reason FROM worklist_timeline
WHERE screening_id = $1 ORDER BY id"""


def _note_associated(screening_id: UUID) -> bytes:
    return f"worklist_items.closure_note_sealed:{screening_id}".encode()


async def site_item(
    conn: Connection, screening_id: UUID, site_id: str, *, lock: bool = False
) -> WorklistItem | None:
    row = await conn.fetchrow(LOCK_SITE_ITEM if lock else SITE_ITEM, screening_id, site_id)
    return None if row is None else from_row(WorklistItem, row)


async def lock_item(conn: Connection, screening_id: UUID) -> WorklistItem | None:
    row = await conn.fetchrow(LOCK_ITEM, screening_id)
    return None if row is None else from_row(WorklistItem, row)


async def close(
    conn: Connection,
    screening_id: UUID,
    reason: str,
    note: str | None,
    keyring: Keyring,
    at: datetime,
    by: str,
) -> None:
    sealed = keyring.seal(note.encode(), _note_associated(screening_id)) if note else None
    await conn.execute(CLOSE, screening_id, reason, sealed, at, by)


async def closure_note(
    conn: Connection, screening_id: UUID, site_id: str, keyring: Keyring
) -> str | None:
    sealed = await conn.fetchval(NOTE, screening_id, site_id)
    if sealed is None:
        return None
    return keyring.open(bytes(sealed), _note_associated(screening_id)).decode()


async def assess(conn: Connection, screening_id: UUID, outcome: str, at: datetime, by: str) -> None:
    await conn.execute(ASSESS, screening_id, outcome, at, by)


async def escalate(conn: Connection, screening_id: UUID, level: str, at: datetime) -> None:
    await conn.execute(ESCALATE, screening_id, level, at)


async def append(
    conn: Connection,
    screening_id: UUID,
    at: datetime,
    action: str,
    actor: str,
    organization_id: str,
    reason: str | None,
    event_id: UUID | None = None,
) -> None:
    await conn.execute(APPEND, screening_id, at, action, actor, organization_id, reason, event_id)


async def timeline(conn: Connection, screening_id: UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(TIMELINE, screening_id))
