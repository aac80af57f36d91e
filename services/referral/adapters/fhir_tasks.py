"""SQL behind the FHIR Task views: what the Task says beyond the referral's row (who submitted
it, why it was declined or cancelled), and the Task search (docs/api.md "FHIR").

The search is always scoped to the caller's organization as the referral's referring site or its
practice, the same rule as reading one (`visible_referral`); every other filter narrows that.
Results walk forward by (updated_at, id), so a client polling with `_lastUpdated=ge...` pages
through changes in the order they happened; the next page starts after the last row shown
(keyset paging: a page costs the same however deep it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.referral.adapters.fhir_task import TaskContext
from warmlink.db import Connection

# Who submitted the referral (its first `submit` entry: a redirect keeps the person who
# referred), and the reason of the latest entry that put it in its current state.
_CONTEXT_JOINS = """
LEFT JOIN LATERAL (SELECT t.actor, t.person_role FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.action = 'submit'
                   ORDER BY t.id LIMIT 1) submit ON true
LEFT JOIN LATERAL (SELECT t.reason FROM referral_timeline t
                   WHERE t.referral_id = r.id AND t.status = r.status
                   ORDER BY t.id DESC LIMIT 1) latest ON true"""
_CONTEXT_COLUMNS = """submit.actor AS submitted_by, submit.person_role AS submitter_role,
       latest.reason AS status_reason"""
TASK_CONTEXT = f"""
SELECT {_CONTEXT_COLUMNS}
FROM referrals r{_CONTEXT_JOINS}
WHERE r.id = $1"""

# $1 the caller's organization; NULL leaves a filter out. Times are a half-open range. The page's
# `updated_at >= $8` repeats what the row comparison implies so that the planner can range-scan
# the (organization, updated_at, id) indexes (a row comparison alone made it scan the table).
_SEARCH_WHERE = """
WHERE (r.site_id = $1 OR r.practice_id = $1)
  AND ($2::text IS NULL OR r.site_id = $2)
  AND ($3::text IS NULL OR r.practice_id = $3)
  AND ($4::text[] IS NULL OR r.status = ANY($4::text[]))
  AND ($5::timestamptz IS NULL OR r.updated_at >= $5)
  AND ($6::timestamptz IS NULL OR r.updated_at < $6)
  AND ($7::uuid[] IS NULL OR r.id = ANY($7::uuid[]))"""
COUNT_TASKS = f"SELECT count(*) FROM referrals r{_SEARCH_WHERE}"
# The page is chosen first, then only its rows are joined to their timeline.
SEARCH_TASKS = f"""
SELECT r.*, {_CONTEXT_COLUMNS}
FROM (SELECT * FROM referrals r{_SEARCH_WHERE}
        AND ($8::timestamptz IS NULL
             OR (r.updated_at >= $8 AND (r.updated_at, r.id) > ($8, $9::uuid)))
      ORDER BY r.updated_at, r.id
      LIMIT $10) r{_CONTEXT_JOINS}
ORDER BY r.updated_at, r.id"""


@dataclass(frozen=True)
class TaskQuery:
    """A Task search, already read from its parameters; None leaves a filter out."""

    organization_id: str  # the caller's: the search never leaves it
    requester: str | None = None  # the referring site
    owner: str | None = None  # the practice that owns it now
    statuses: tuple[str, ...] | None = None  # our states (ReferralStatus values)
    updated_from: datetime | None = None  # inclusive
    updated_before: datetime | None = None  # exclusive
    ids: tuple[UUID, ...] | None = None
    count: int = 20
    after: tuple[datetime, UUID] | None = None  # the last row of the previous page


def context_of(row: asyncpg.Record | None) -> TaskContext:
    if row is None:
        return TaskContext()
    return TaskContext(row["submitted_by"], row["submitter_role"], row["status_reason"])


async def task_context(conn: Connection, referral_id: UUID) -> TaskContext:
    return context_of(await conn.fetchrow(TASK_CONTEXT, referral_id))


async def search(conn: Connection, q: TaskQuery) -> tuple[int, list[asyncpg.Record]]:
    """How many Tasks match `q` in all, and its page of rows (each with its TaskContext columns)."""
    filters = (
        q.organization_id,
        q.requester,
        q.owner,
        list(q.statuses) if q.statuses is not None else None,
        q.updated_from,
        q.updated_before,
        list(q.ids) if q.ids is not None else None,
    )
    total: int = await conn.fetchval(COUNT_TASKS, *filters)
    after_at, after_id = q.after if q.after is not None else (None, None)
    rows = await conn.fetch(SEARCH_TASKS, *filters, after_at, after_id, q.count)
    return total, list(rows)
