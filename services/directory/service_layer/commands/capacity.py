"""Capacity: a practice confirms its numbers, and the network hears of every change.

A confirmation publishes CapacityUpdated at once. Ageing is not an event anyone makes, so
`announce_stale` publishes one (``stale=True``) per record when it crosses the allowed age, in
the same transaction that marks it announced (run by ``workers/stale_sweep``). Consumers
(matching elsewhere, the follow-up dashboard) then show it as stale without each computing ages
of their own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import CapacityUpdated, Envelope
from services.directory.adapters import listings
from services.directory.domain.errors import BackdatingNotAllowed
from services.directory.domain.freshness import Freshness, freshness
from services.directory.domain.model import Capacity
from services.directory.settings import DirectorySettings
from warmlink.db import Connection
from warmlink.outbox import publish_later

PRODUCER = "directory"
STALE_BATCH = 100  # short transactions: a practice confirming capacity never waits long on a lock


async def confirm_capacity(
    conn: Connection,
    settings: DirectorySettings,
    practice_id: str,
    service_id: str,
    capacity: Capacity,
    backdated: bool = False,
) -> None:
    """Store the numbers and publish them, in the caller's transaction. `backdated` (a
    `verified_at` in the past, chosen by the caller) is for demo data, so only a development
    network accepts it."""
    if backdated and settings.environment != "development":
        raise BackdatingNotAllowed()
    await listings.set_capacity(conn, service_id, capacity)
    await publish_capacity(conn, settings, practice_id, service_id, capacity)


async def announce_stale(conn: Connection, settings: DirectorySettings, now: datetime) -> int:
    """Publish CapacityUpdated(stale) for records that aged past the limit; returns how many.
    Runs in the caller's transaction, which holds the records' locks until it commits."""
    rows = await listings.newly_stale(conn, now - settings.capacity_max_age, STALE_BATCH)
    for r in rows:
        capacity = listings.capacity_from(r)
        await publish_capacity(conn, settings, r["organization_id"], r["service_id"], capacity)
        await listings.mark_stale_announced(conn, r["service_id"], now)
    return len(rows)


async def publish_capacity(
    conn: Connection,
    settings: DirectorySettings,
    practice_id: str,
    service_id: str,
    c: Capacity,
    causation: Envelope | None = None,
) -> None:
    stale = freshness(c, datetime.now(UTC), settings.capacity_max_age) is not Freshness.FRESH
    event = CapacityUpdated(
        practice_id=practice_id,
        service_id=service_id,
        available=c.available,
        maximum=c.maximum,
        next_available_intake=c.next_available_intake,
        accepting_new_patients=c.accepting_new_patients,
        verified_at=c.verified_at,
        stale=stale,
    )
    await publish_later(conn, event, producer=PRODUCER, causation=causation)
