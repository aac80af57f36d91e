"""A practice's capacity about to go stale: CapacityNearingStale, once per confirmation, so the
practice is reminded to confirm it (the portal alerts its intake staff) before matching ranks
it lower. Run by `workers/stale_sweep` beside the stale announcements."""

from __future__ import annotations

from datetime import datetime

from contracts import CapacityNearingStale
from services.directory.adapters import nearing_stale
from services.directory.settings import DirectorySettings
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "directory"
NEARING_BATCH = 100


async def announce_nearing_stale(
    conn: Connection, settings: DirectorySettings, now: datetime
) -> int:
    """Publish CapacityNearingStale for records whose lead time before stale has begun; returns
    how many. In the caller's transaction, which holds the records' locks until it commits."""
    max_age = settings.capacity_max_age
    rows = await nearing_stale.nearing(
        conn, now - (max_age - settings.capacity_nearing_stale_lead), now - max_age, NEARING_BATCH
    )
    for r in rows:
        event = CapacityNearingStale(
            practice_id=r["organization_id"],
            service_id=r["service_id"],
            verified_at=r["verified_at"],
            stale_at=r["verified_at"] + max_age,
        )
        await publish_later(conn, event, producer=PRODUCER)
        await nearing_stale.mark_announced(conn, r["service_id"], r["verified_at"], now)
    return len(rows)
