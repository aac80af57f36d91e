"""Stale capacity for tests whose directory runs outside development (which refuses a client's
`verified_at`): the demo region's verification times, written into the directory's table."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from tools.dev.seed import region_bodies

BACKDATE = "UPDATE capacities SET verified_at = $2 WHERE service_id = $1"


async def backdate_capacity(database_url: str, now: datetime) -> int:
    """Make the region's long-unverified listings as old as the region says."""
    stale = [
        (svc["id"], datetime.fromisoformat(svc["capacity"]["verified_at"]))
        for org in region_bodies(now)
        for svc in org["services"]
        if svc.get("capacity")
    ]
    conn = await asyncpg.connect(database_url)
    try:
        await conn.executemany(BACKDATE, stale)
    finally:
        await conn.close()
    return len(stale)
