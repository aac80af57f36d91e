"""SQL for the subscription routes. Every query is scoped to the owning organization, so another
organization's subscription is simply not found (404) and its existence never leaks."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.referral.subscriptions.adapters.notifications import CHANNEL
from services.referral.subscriptions.domain.payloads import HEARTBEAT
from services.referral.subscriptions.domain.signing import ROTATION_OVERLAP_S
from warmlink.db import Connection, notify_after_commit

SUBSCRIPTION_COLUMNS = """id, organization_id, url, types, statuses, event_types, heartbeat_s,
    status, status_reason, last_event_number, created_at, updated_at, signature, public_key,
    shape, fhir_base, organization_role"""
INSERT_SUBSCRIPTION = f"""
INSERT INTO subscriptions
    (id, organization_id, url, types, statuses, event_types, heartbeat_s, secret_sealed,
     signature, public_key, shape, fhir_base, organization_role)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
RETURNING {SUBSCRIPTION_COLUMNS}"""
SELECT_ONE = f"""
SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = $1 AND organization_id = $2"""
# A FHIR Backport subscription's events so far: the count its last claimed notification keeps
# (adapters/claims.py), plus the events numbered after it and not yet claimed; a walk down the
# unique index from the top, not a count of the whole history.
COUNT_EVENTS = f"""
WITH last AS (
    SELECT event_number, events_since_start FROM subscription_notifications
    WHERE subscription_id = $1 AND events_since_start IS NOT NULL
    ORDER BY event_number DESC LIMIT 1)
SELECT COALESCE((SELECT events_since_start FROM last), 0) + (
    SELECT count(*) FROM subscription_notifications
    WHERE subscription_id = $1 AND type <> '{HEARTBEAT}'
      AND event_number > COALESCE((SELECT event_number FROM last), 0))"""
SELECT_OWN = f"""
SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE organization_id = $1
ORDER BY created_at, id"""
DEACTIVATE = f"""
UPDATE subscriptions SET status = 'off', status_reason = 'deactivated by its owner',
    updated_at = now()
WHERE id = $1 AND organization_id = $2 RETURNING {SUBSCRIPTION_COLUMNS}"""
# Only two secrets are ever valid: rotating again within the overlap drops the oldest at once.
ROTATE_SECRET = f"""
UPDATE subscriptions SET previous_secret_sealed = secret_sealed, secret_sealed = $3,
    public_key = $4,
    previous_secret_expires_at = now() + make_interval(secs => {ROTATION_OVERLAP_S}),
    updated_at = now()
WHERE id = $1 AND organization_id = $2
RETURNING id, previous_secret_expires_at"""
SELECT_EVENTS = """
SELECT id, event_number, type, payload, status, attempts, next_attempt_at, created_at,
    delivered_at
FROM subscription_notifications WHERE subscription_id = $1 AND event_number > $2
ORDER BY event_number LIMIT $3"""
# Back to pending with a fresh retry window. It is the lowest pending number again, so the worker
# sends it before anything newer: the subscriber sees it again in order (same webhook-id).
REDELIVER = """
UPDATE subscription_notifications
SET status = 'pending', next_attempt_at = now(), window_started_at = now(), delivered_at = NULL
WHERE subscription_id = $1 AND event_number = $2
RETURNING id, event_number, type, payload, status, attempts, next_attempt_at, created_at,
    delivered_at"""
SELECT_DELIVERIES = """
SELECT id, notification_id, event_number, attempt, attempted_at, http_status, error, duration_ms
FROM subscription_deliveries WHERE subscription_id = $1 AND ($2::bigint IS NULL OR id < $2)
ORDER BY id DESC LIMIT $3"""


# Held to commit: two creations at once for one organization count one after the other, so
# neither can pass the cap on a count that misses the other.
LOCK_ORGANIZATION = "SELECT pg_advisory_xact_lock(hashtext('subscriptions:' || $1))"
COUNT_ACTIVE = """
SELECT count(*) FROM subscriptions WHERE organization_id = $1 AND status = 'active'
"""


async def count_active_locked(conn: Connection, organization_id: str) -> int:
    """The organization's active subscriptions, counted under its lock (held to commit)."""
    await conn.execute(LOCK_ORGANIZATION, organization_id)
    count: int = await conn.fetchval(COUNT_ACTIVE, organization_id)
    return count


async def create(
    conn: Connection,
    *,
    subscription_id: UUID,
    organization_id: str,
    url: str,
    types: Sequence[str] | None,
    statuses: Sequence[str] | None,
    event_types: Sequence[str] | None,
    heartbeat_s: float,
    sealed_secret: bytes,
    signature: str,
    public_key: str | None,
    fhir_base: str | None,
    organization_role: str | None,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        INSERT_SUBSCRIPTION,
        subscription_id,
        organization_id,
        url,
        None if types is None else list(types),
        None if statuses is None else list(statuses),
        None if event_types is None else list(event_types),
        heartbeat_s,
        sealed_secret,
        signature,
        public_key,
        "warmlink" if fhir_base is None else "fhir-backport",
        fhir_base,
        organization_role,
    )
    assert row is not None
    return row


async def get(
    conn: Connection, subscription_id: UUID, organization_id: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(SELECT_ONE, subscription_id, organization_id)


async def events_since_start(conn: Connection, subscription_id: UUID) -> int:
    count: int = await conn.fetchval(COUNT_EVENTS, subscription_id)
    return count


async def own(conn: Connection, organization_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(SELECT_OWN, organization_id))


async def deactivate(
    conn: Connection, subscription_id: UUID, organization_id: str
) -> asyncpg.Record | None:
    return await conn.fetchrow(DEACTIVATE, subscription_id, organization_id)


async def rotate_secret(
    conn: Connection,
    subscription_id: UUID,
    organization_id: str,
    sealed_secret: bytes,
    public_key: str | None,
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        ROTATE_SECRET, subscription_id, organization_id, sealed_secret, public_key
    )


async def events(
    conn: Connection, subscription_id: UUID, since: int, limit: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(SELECT_EVENTS, subscription_id, since, limit))


async def redeliver(
    conn: Connection, subscription_id: UUID, event_number: int
) -> asyncpg.Record | None:
    async with conn.transaction():
        row = await conn.fetchrow(REDELIVER, subscription_id, event_number)
        if row is not None:
            await notify_after_commit(conn, CHANNEL)
        return row


async def deliveries(
    conn: Connection, subscription_id: UUID, before: int | None, limit: int
) -> list[asyncpg.Record]:
    return list(await conn.fetch(SELECT_DELIVERIES, subscription_id, before, limit))
