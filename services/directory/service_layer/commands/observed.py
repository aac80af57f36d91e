"""Observed behaviour: recompute the practices the referral events marked.

The event handlers mark a practice in the statement that records the event's fact
(`capacity_sql.MARK_PRACTICE`); ``workers/observed_refresh`` runs `refresh_marked` every few
seconds, so a burst of events costs one recomputation per practice.
"""

from __future__ import annotations

from datetime import datetime

from services.directory.adapters import capacity_sql as sql
from services.directory.domain.observed import observe
from services.directory.settings import DirectorySettings
from warmlink.db import Connection

BATCH = 100


async def recompute(
    conn: Connection, settings: DirectorySettings, practice_id: str, now: datetime
) -> None:
    facts = await sql.facts_of(conn, practice_id, now - settings.observed_window)
    await sql.save_observed(conn, practice_id, observe(facts, now, settings.observed_window), now)


async def refresh_marked(conn: Connection, settings: DirectorySettings, now: datetime) -> int:
    """Take up to BATCH marked practices and recompute them, in the caller's transaction."""
    taken = await sql.take_marked(conn, BATCH)
    for practice_id in taken:
        await recompute(conn, settings, practice_id, now)
    return len(taken)
