"""The delivery worker's SQL: claim due heads, record each attempt and its outcome.

Status changes queue their notifications un-numbered; claiming numbers them first (the
sequencer, notifications.py), so only numbered notifications are ever claimed.

Order per subscription: only a subscription's *head* (its lowest pending event number) is ever
claimed, so N+1 waits until N is delivered or given up. A claim is a lease, not an open
transaction: it bumps `attempts` and pushes `next_attempt_at` past the delivery timeout, then
commits, so no connection is held while the subscriber answers. A claimed head is still pending,
so its successor stays blocked; if the process dies mid-delivery the lease runs out and any
replica retries it (at least once, with the same webhook-id). `attempts` fences the outcome: a
result is written only for the attempt that was claimed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime
from typing import Any

import orjson

from services.referral.subscriptions.adapters.notifications import number_queued
from services.referral.subscriptions.adapters.sealing import open_sealed
from services.referral.subscriptions.domain import payloads
from services.referral.subscriptions.domain.delivery import Attempt, Claim
from warmlink.crypto import CannotOpen, Keyring
from warmlink.db import Connection
from warmlink.rows import from_row

log = logging.getLogger(__name__)

# What a claim reads: the notification, and its subscription's destination and keys.
CLAIMED = """n.id, n.subscription_id, n.event_number, n.payload, n.attempts, n.window_started_at,
    s.url, s.secret_sealed, s.previous_secret_sealed, s.previous_secret_expires_at, s.fhir_base,
    n.events_since_start"""
# A FHIR Backport subscription's events so far (domain/backport_bundles.py), kept on each of its
# notifications when first claimed: the previous number's count, plus one unless this is the
# handshake or a heartbeat. The previous one was claimed before (delivery is in order, and its
# runs are one notification long: CLAIM_RUN_OF), so this is one unique-index probe; counting
# the history instead cost 70 ms a claim at 100,000 notifications. A redelivery keeps its count.
COUNTED = f"""CASE WHEN s.fhir_base IS NULL THEN NULL ELSE COALESCE(n.events_since_start,
    COALESCE((SELECT p.events_since_start FROM subscription_notifications p
              WHERE p.subscription_id = n.subscription_id
                AND p.event_number = n.event_number - 1), 0)
    + CASE WHEN n.type IN ('{payloads.HANDSHAKE}', '{payloads.HEARTBEAT}') THEN 0 ELSE 1 END)
    END"""
# FOR UPDATE SKIP LOCKED: replicas claim different heads. The row conditions are on `n` itself
# so PostgreSQL re-checks them on the newest row version once the lock is taken: a head another
# replica leased (or delivered) a moment ago is not claimed twice.
# The heads are found by a loose index scan of the pending index (one probe per subscription
# with something pending), not by reading every pending row: this runs on every NOTIFY in every
# process, and a backlog of a busy subscriber made each scan read the whole backlog.
CLAIM_DUE_HEADS = f"""
WITH RECURSIVE heads AS (
    (SELECT n.subscription_id, n.id FROM subscription_notifications n
     WHERE n.status = 'pending' ORDER BY n.subscription_id, n.event_number LIMIT 1)
    UNION ALL
    SELECT later.subscription_id, later.id FROM heads h
    CROSS JOIN LATERAL (
        SELECT n.subscription_id, n.id FROM subscription_notifications n
        WHERE n.status = 'pending' AND n.subscription_id > h.subscription_id
        ORDER BY n.subscription_id, n.event_number LIMIT 1) later
), due AS (
    SELECT n.id FROM subscription_notifications n
    JOIN subscriptions s ON s.id = n.subscription_id AND s.status = 'active'
    WHERE n.id IN (SELECT id FROM heads) AND n.status = 'pending' AND n.next_attempt_at <= now()
      AND s.organization_id <> ALL($3::text[])
    ORDER BY n.next_attempt_at LIMIT $1
    FOR UPDATE OF n SKIP LOCKED
)
UPDATE subscription_notifications n
SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => $2),
    events_since_start = {COUNTED}
FROM due, subscriptions s
WHERE n.id = due.id AND s.id = n.subscription_id
RETURNING {CLAIMED}"""
# After a delivery: the subscription's next run of due notifications, claimed in the
# transaction that records the outcome, so a busy subscription flows (many deliveries per
# commit) without waiting for the worker's next global scan. Rows are locked in event order
# without skipping, and only the due prefix is claimed: a head waiting for its retry holds back
# everything after it. A FHIR Backport subscription's run is its head alone (see COUNTED).
CLAIM_RUN_OF = f"""
WITH run AS (
    SELECT n.id, n.event_number, n.next_attempt_at FROM subscription_notifications n
    WHERE n.subscription_id = $1 AND n.status = 'pending'
    ORDER BY n.event_number LIMIT $3
    FOR UPDATE OF n
)
UPDATE subscription_notifications n
SET attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => $2),
    events_since_start = {COUNTED}
FROM run, subscriptions s
WHERE n.id = run.id AND s.id = n.subscription_id AND s.status = 'active'
  AND s.organization_id <> ALL($4::text[])
  AND (s.fhir_base IS NULL OR run.event_number = (SELECT min(r.event_number) FROM run r))
  AND NOT EXISTS (SELECT 1 FROM run r WHERE r.next_attempt_at > now()
                  AND r.event_number <= run.event_number)
RETURNING {CLAIMED}"""
# Claimed but not attempted (a run stopped at a failure): back to due, as if never claimed.
UNCLAIM = """
UPDATE subscription_notifications SET attempts = attempts - 1, next_attempt_at = now()
WHERE id = $1 AND attempts = $2 AND status = 'pending'"""
INSERT_ATTEMPT = """
INSERT INTO subscription_deliveries
    (notification_id, subscription_id, event_number, attempt, http_status, error, duration_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7)"""
# A run's attempts and deliveries, a statement each: executemany ran one statement per row.
INSERT_RUN_ATTEMPTS = """
INSERT INTO subscription_deliveries
    (notification_id, subscription_id, event_number, attempt, http_status, error, duration_ms)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::integer[], $5::integer[],
                     $6::text[], $7::double precision[])"""
MARK_RUN_DELIVERED = """
UPDATE subscription_notifications n SET status = 'delivered', delivered_at = now()
FROM unnest($1::uuid[], $2::integer[]) AS d(id, attempts)
WHERE n.id = d.id AND n.attempts = d.attempts AND n.status = 'pending'"""
MARK_DELIVERED = """
UPDATE subscription_notifications SET status = 'delivered', delivered_at = now()
WHERE id = $1 AND attempts = $2 AND status = 'pending'"""
SCHEDULE_RETRY = """
UPDATE subscription_notifications SET next_attempt_at = $3
WHERE id = $1 AND attempts = $2 AND status = 'pending'"""
MARK_FAILED = """
UPDATE subscription_notifications SET status = 'failed'
WHERE id = $1 AND attempts = $2 AND status = 'pending'"""
# 410 Gone: the subscriber says the endpoint is gone for good. The head stays pending (replay
# shows it) and nothing more is sent.
DISABLE = """
UPDATE subscriptions SET status = 'error', status_reason = $2, updated_at = now()
WHERE id = $1 AND status = 'active'"""
RELEASE_LEASE = """
UPDATE subscription_notifications SET next_attempt_at = now()
WHERE id = $1 AND attempts = $2 AND status = 'pending'"""


async def claim_due(
    conn: Connection,
    limit: int,
    lease_s: float,
    keyring: Keyring,
    suspended: Collection[str] = (),
) -> list[Claim]:
    """Number what status changes queued, then claim due heads: one transaction, one commit.
    Subscriptions of `suspended` organizations are left pending (sent once reinstated, within
    their retry window)."""
    async with conn.transaction():
        await number_queued(conn)
        if limit <= 0:
            return []
        rows = await conn.fetch(CLAIM_DUE_HEADS, limit, lease_s, list(suspended))
        return opened_claims(rows, keyring)


def opened_claims(rows: list[Any], keyring: Keyring) -> list[Claim]:
    """Claims with their secrets opened, to sign with. A secret that does not open (its key is
    gone from the keyring, or the row was tampered with) stops its own subscription only: the
    claim is left to its lease and logged each time it comes back."""
    claims: list[Claim] = []
    for r in rows:
        try:
            claims.append(_claim(r, keyring))
        except CannotOpen:
            log.error(
                "webhook secret cannot be opened; not delivering",
                extra={"subscription_id": str(r["subscription_id"])},
            )
    return claims


def _claim(r: Any, keyring: Keyring) -> Claim:
    sealed_previous = r["previous_secret_sealed"]
    return from_row(
        Claim,
        r,
        payload=orjson.loads(r["payload"]),
        attempt=r["attempts"],
        secret=open_sealed(keyring, r["subscription_id"], r["secret_sealed"]),
        previous_secret=None
        if sealed_previous is None
        else open_sealed(keyring, r["subscription_id"], sealed_previous),
    )


async def record_run(
    conn: Connection,
    results: list[tuple[Claim, Attempt]],
    retry_at: datetime | None,
    unattempted: list[Claim],
    next_lease_s: float,
    run_size: int,
    keyring: Keyring,
    suspended: Collection[str] = (),
) -> list[Claim]:
    """Record a run's attempts in one transaction: all delivered but possibly the last, which
    failed (`retry_at` as in `record`). Returns the subscription's next run when all succeeded."""
    async with conn.transaction():
        await conn.execute(
            INSERT_RUN_ATTEMPTS,
            [c.id for c, _ in results],
            [c.subscription_id for c, _ in results],
            [c.event_number for c, _ in results],
            [c.attempt for c, _ in results],
            [a.http_status for _, a in results],
            [a.error for _, a in results],
            [a.duration_ms for _, a in results],
        )
        delivered = [c for c, a in results if a.ok]
        if delivered:
            await conn.execute(
                MARK_RUN_DELIVERED, [c.id for c in delivered], [c.attempt for c in delivered]
            )
        await conn.executemany(UNCLAIM, [(c.id, c.attempt) for c in unattempted])
        last, attempt = results[-1]
        if not attempt.ok:
            await _apply_failure(conn, last, attempt, retry_at)
            return []
        # What the subscription's changes queued meanwhile joins the run without a global scan.
        await number_queued(conn, last.subscription_id)
        rows = await conn.fetch(
            CLAIM_RUN_OF, last.subscription_id, next_lease_s, run_size, list(suspended)
        )
        return sorted(opened_claims(list(rows), keyring), key=lambda c: c.event_number)


async def _apply_failure(
    conn: Connection, claim: Claim, attempt: Attempt, retry_at: datetime | None
) -> None:
    if attempt.http_status == 410:
        await conn.execute(DISABLE, claim.subscription_id, "endpoint answered 410 Gone")
        await conn.execute(RELEASE_LEASE, claim.id, claim.attempt)
    elif retry_at is None:
        await conn.execute(MARK_FAILED, claim.id, claim.attempt)
    else:
        await conn.execute(SCHEDULE_RETRY, claim.id, claim.attempt, retry_at)


async def record(
    conn: Connection, claim: Claim, attempt: Attempt, retry_at: datetime | None
) -> None:
    """Log the attempt and apply its outcome, in one transaction. `retry_at` None on a failure
    means the retry window is over: the notification is given up."""
    async with conn.transaction():
        await conn.execute(
            INSERT_ATTEMPT,
            claim.id,
            claim.subscription_id,
            claim.event_number,
            claim.attempt,
            attempt.http_status,
            attempt.error,
            attempt.duration_ms,
        )
        if attempt.ok:
            await conn.execute(MARK_DELIVERED, claim.id, claim.attempt)
        else:
            await _apply_failure(conn, claim, attempt, retry_at)
