"""SQL for the worklist. The ORDER BY mirrors `domain.worklist.priority`."""

from __future__ import annotations

from services.referral.domain.worklist import WorklistItem
from warmlink.db import Connection

ADD_ITEM = """
INSERT INTO worklist_items (screening_id, site_id, patient_ref, instrument, total, band, urgent,
                            setting, screened_at, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (screening_id) DO NOTHING"""

SITE_WORKLIST = """
SELECT screening_id, site_id, patient_ref, instrument, total, band, urgent, setting, screened_at,
       status, referral_id, reason, reason_detail, returned_at
FROM worklist_items
WHERE site_id = $1 AND status = $2
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


async def for_site(conn: Connection, site_id: str, status: str, limit: int) -> list[WorklistItem]:
    rows = await conn.fetch(SITE_WORKLIST, site_id, status, limit)
    return [WorklistItem(**dict(r)) for r in rows]
