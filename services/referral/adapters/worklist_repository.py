"""SQL for the worklist and each screen's accounting. The ORDER BY mirrors
`domain.worklist.priority`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from services.referral.domain.worklist import WorklistItem
from warmlink.db import Connection, Executor
from warmlink.rows import from_row

ADD_ITEM = """
INSERT INTO worklist_items (screening_id, site_id, patient_ref, instrument, total, band, urgent,
                            setting, screened_at, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (screening_id) DO NOTHING"""

ITEM_COLUMNS = """
screening_id, site_id, patient_ref, instrument, total, band, urgent, setting, screened_at, status,
referral_id, reason, reason_detail, returned_at, closure_reason, closed_at, safety_outcome,
safety_assessed_at, escalation, escalated_at"""

# $2 NULL: every status.
SITE_WORKLIST = f"""
SELECT {ITEM_COLUMNS}
FROM worklist_items
WHERE site_id = $1 AND ($2::text IS NULL OR status = $2)
ORDER BY urgent DESC, screened_at
LIMIT $3"""


async def add(conn: Connection, item: WorklistItem) -> None:
    await conn.execute(
        ADD_ITEM,
        item.screening_id,
        item.site_id,
        item.patient_ref,
        item.instrument,
        item.total,
        item.band,
        item.urgent,
        item.setting,
        item.screened_at,
        item.status,
    )


async def for_site(
    conn: Connection, site_id: str, status: str | None, limit: int
) -> list[WorklistItem]:
    rows = await conn.fetch(SITE_WORKLIST, site_id, status, limit)
    return [from_row(WorklistItem, r) for r in rows]


SCREEN_SUMMARY = """
SELECT instrument, total, band, urgent, screened_at FROM worklist_items WHERE screening_id = $1"""


async def screen_summary(conn: Connection, screening_id: UUID) -> dict[str, Any] | None:
    """The screen a referral came from, as intake reads it: instrument, total, band, and whether
    the safety item was positive (`urgent`); None for a referral made without one."""
    row = await conn.fetchrow(SCREEN_SUMMARY, screening_id)
    if row is None:
        return None
    return dict(row) | {"screened_at": row["screened_at"].isoformat()}


# Whatever the item's status: a screen answered before (or back on the list) is still urgent.
SCREEN_URGENT = "SELECT urgent FROM worklist_items WHERE screening_id = $1 AND site_id = $2"


async def screen_urgent(conn: Connection, screening_id: UUID, site_id: str) -> bool | None:
    """Whether the site's screen had a positive safety item (its ScreenPositive's `urgent`);
    None when the screen is not on the site's worklist (not arrived yet, or not hers)."""
    urgent: bool | None = await conn.fetchval(SCREEN_URGENT, screening_id, site_id)
    return urgent


MARK_REFERRED = """
UPDATE worklist_items SET status = 'referred', referral_id = $2
WHERE screening_id = $1 AND site_id = $3"""


async def mark_referred(
    conn: Executor, screening_id: UUID, referral_id: UUID, site_id: str
) -> None:
    """The site's item for this screen is answered by the referral (if the screen is hers)."""
    await conn.execute(MARK_REFERRED, screening_id, referral_id, site_id)


# A redirect takes her off her site's list again; a declined referral puts her back on it.
REFERRED_AGAIN = "UPDATE worklist_items SET status = 'referred' WHERE referral_id = $1"
DECLINED_TO_WORKLIST = """
UPDATE worklist_items
SET status = 'needs_referral', reason = 'declined', reason_detail = $2, returned_at = $3
WHERE referral_id = $1"""


async def referred_again(conn: Connection, referral_id: UUID) -> None:
    await conn.execute(REFERRED_AGAIN, referral_id)


async def return_declined(
    conn: Connection, referral_id: UUID, reason: str | None, at: datetime
) -> None:
    await conn.execute(DECLINED_TO_WORKLIST, referral_id, reason, at)


# The practice answered (or the site cancelled) after all: nothing is left to redirect.
SETTLE_ACK_OVERDUE = """
UPDATE worklist_items SET status = 'referred'
WHERE referral_id = $1 AND status = 'needs_referral' AND reason = 'acknowledgement_overdue'"""


async def settle_ack_overdue(conn: Connection, referral_id: UUID) -> None:
    await conn.execute(SETTLE_ACK_OVERDUE, referral_id)
