"""SQL for the referral's reactions to follow-up events: timeline notes and worklist returns."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from contracts.lifecycle import ReferralStatus
from services.referral.domain.followup import FollowedReferral
from warmlink.db import Connection
from warmlink.rows import from_row

# The consumer is the network itself, not an organization: it reads any referral, by id.
LOCK_REFERRAL = """
SELECT id, site_id, practice_id, status, ack_overdue_at FROM referrals WHERE id = $1 FOR UPDATE"""
FLAG_ACK_OVERDUE = "UPDATE referrals SET ack_overdue_at = $2 WHERE id = $1"
# One entry per (event, action): a second application of the same event inserts nothing.
APPEND_NOTE = """
INSERT INTO referral_timeline (referral_id, at, status, action, actor, organization_id,
    practice_id, reason, event_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (event_id, action) WHERE event_id IS NOT NULL DO NOTHING
RETURNING id"""
# Back on the list unless she is on it already (an open item for this referral).
RETURN_TO_WORKLIST = """
UPDATE worklist_items
SET status = 'needs_referral', reason = $2, reason_detail = $3, returned_at = $4
WHERE referral_id = $1 AND status <> 'needs_referral'
RETURNING screening_id"""


async def lock_referral(conn: Connection, referral_id: UUID) -> FollowedReferral | None:
    row = await conn.fetchrow(LOCK_REFERRAL, referral_id)
    if row is None:
        return None
    return from_row(FollowedReferral, row, status=ReferralStatus(row["status"]))


async def flag_ack_overdue(conn: Connection, referral_id: UUID, at: datetime) -> None:
    await conn.execute(FLAG_ACK_OVERDUE, referral_id, at)


async def append_note(
    conn: Connection,
    referral: FollowedReferral,
    *,
    event_id: UUID,
    action: str,
    reason: str,
    at: datetime,
    actor: str,
    organization_id: str,
) -> bool:
    """True if the entry was written, False if this event already wrote it."""
    written = await conn.fetchval(
        APPEND_NOTE,
        referral.id,
        at,
        referral.status,
        action,
        actor,
        organization_id,
        referral.practice_id,
        reason,
        event_id,
    )
    return written is not None


async def return_to_worklist(
    conn: Connection, referral_id: UUID, reason: str, detail: str | None, at: datetime
) -> bool:
    """True if the patient came back on her site's list, False if there was nothing to reopen."""
    return await conn.fetchval(RETURN_TO_WORKLIST, referral_id, reason, detail, at) is not None
