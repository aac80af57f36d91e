"""A FHIR Backport subscription's events-since-subscription-start through the real claim SQL
(adapters/claims.py): kept on each notification as it is claimed, one at a time, and read back by
`$status` with the events numbered but not yet claimed (adapters/store.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from services.referral.subscriptions.adapters import claims, store
from services.referral.subscriptions.domain.config import WebhookConfig
from services.referral.subscriptions.domain.delivery import Attempt, Claim
from services.referral.subscriptions.domain.payloads import STATUS_CHANGED
from services.referral.subscriptions.domain.subscription import CreateSubscription
from services.referral.subscriptions.service_layer.commands import create_subscription
from services.referral.subscriptions.service_layer.events import on_status_change
from warmlink.crypto import Keyring, new_key
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
SITE = "site-backport"


async def change(conn: asyncpg.Connection) -> None:
    async with conn.transaction():
        await on_status_change(
            conn,
            referral_id=uuid.uuid4(),
            site_id=SITE,
            practice_id="practice-x",
            status="submitted",
            event_type="ReferralSubmitted",
            occurred_at=datetime.now(UTC),
        )


async def delivered(conn: asyncpg.Connection, claim: Claim, keyring: Keyring) -> list[Claim]:
    """Record the claim as delivered; the subscription's next run, claimed in the same commit."""
    return await claims.record_run(
        conn, [(claim, Attempt(200, None, 1.0))], None, [], 30.0, 50, keyring
    )


async def test_counts_skip_the_handshake_and_heartbeats_and_status_adds_the_unclaimed(
    database_url: str,
) -> None:
    keyring = Keyring.single("phi-1", new_key())
    config = WebhookConfig(allow_private=True, keyring=keyring, heartbeat_min_s=1)
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(
            conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
        )
        command = CreateSubscription(
            organization_id=SITE,
            url="https://ehr.example/hook",
            types=[STATUS_CHANGED],
            statuses=None,
            event_types=None,
            heartbeat_s=60,
            signature="v1a",
            fhir_base="https://warmlink.example/fhir",
        )
        async with conn.transaction():
            row, _ = await create_subscription(conn, command, config)
        subscription = row["id"]

        [handshake] = await claims.claim_due(conn, 10, 30.0, keyring)
        assert (handshake.event_number, handshake.events_since_start) == (0, 0)
        assert await delivered(conn, handshake, keyring) == []
        await conn.execute(  # a heartbeat takes Warmlink's number 1 and counts no event
            "UPDATE subscriptions SET last_event_at = now() - interval '1 hour' WHERE id = $1",
            subscription,
        )
        async with conn.transaction():
            await conn.execute(
                "SELECT number_and_insert_notifications($1::uuid[], $2::jsonb, 'x')",
                [subscription],
                '{"type": "subscription.heartbeat", "timestamp": "2026-01-01T00:00:00Z"}',
            )
        [beat] = await claims.claim_due(conn, 10, 30.0, keyring)
        assert (beat.event_number, beat.events_since_start) == (1, 0)
        await delivered(conn, beat, keyring)

        for _ in range(3):
            await change(conn)
        [first] = await claims.claim_due(conn, 10, 30.0, keyring)
        assert (first.event_number, first.events_since_start) == (2, 1)
        # A Backport run is its head alone: 4 is claimed once 3 (and its count) is kept.
        [second] = await delivered(conn, first, keyring)
        assert (second.event_number, second.events_since_start) == (3, 2)

        assert await claims.claim_due(conn, 10, 30.0, keyring) == []  # 3 is leased: 4 waits
        assert await store.events_since_start(conn, subscription) == 3
        rows = await conn.fetch(
            "SELECT event_number, events_since_start FROM subscription_notifications"
            " WHERE subscription_id = $1 ORDER BY event_number",
            subscription,
        )
        assert [tuple(r.values()) for r in rows] == [(0, 0), (1, 0), (2, 1), (3, 2), (4, None)]
    finally:
        await conn.close()
