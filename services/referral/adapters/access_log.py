"""SQL for a referral's access log: its audit rows and its timeline, one page, newest first."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.referral.domain.access_log import Cursor
from warmlink.db import Connection

# Any organization's referral: the caller's right to its log is decided on these columns.
SUBJECT = "SELECT id, site_id, screening_id FROM referrals WHERE id = $1"
# The audit rows of the referral's records (referral, patient, appointment, documents: keyed by
# the referral id) and of its screen's worklist item (keyed by the screening id), and the
# timeline's entries. A change by a caller is both a timeline entry and an audit row written
# with it (service_layer access.record_change): the entry says more (what changed, why), so the
# audit rows of writes to the referral's own record are left out rather than listed twice.
PAGE = """
SELECT * FROM (
    SELECT occurred_at AS at, 'audit' AS source, id, actor, organization_id, role, person_role,
           acting_client, action, record_type, record_id, NULL AS change
    FROM audit_log
    WHERE record_id = ANY($1::text[]) AND NOT (record_type = 'referral' AND action = 'write')
    UNION ALL
    SELECT at, 'timeline', id, actor, organization_id, role, person_role,
           NULL, 'write', 'referral', referral_id::text, action
    FROM referral_timeline
    WHERE referral_id = $2
) AS entries
WHERE $3::timestamptz IS NULL OR (at, source, id) < ($3, $4::text, $5::bigint)
ORDER BY at DESC, source DESC, id DESC
LIMIT $6"""


async def subject(conn: Connection, referral_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(SUBJECT, referral_id)


async def page(
    conn: Connection, record_ids: list[str], referral_id: UUID, after: Cursor | None, limit: int
) -> list[asyncpg.Record]:
    at, source, entry_id = (after.at, after.source, after.id) if after else (None, None, None)
    return list(await conn.fetch(PAGE, record_ids, referral_id, at, source, entry_id, limit))
