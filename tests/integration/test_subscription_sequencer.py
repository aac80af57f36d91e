"""The sequencer (referral migration 014): status changes queue their notifications without
locking the subscription, and `number_queued` numbers them after commit. Against real
PostgreSQL, with changes and sequencers running at once: numbers run 1..N without gaps or
repeats, each referral's statuses keep their order, the payload carries the number, a rolled
back change takes none, and a heartbeat waits for queued notifications."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson

from services.referral.subscriptions.adapters.notifications import number_queued, record_heartbeats
from services.referral.subscriptions.service_layer.events import on_status_change
from warmlink.migrations import RUNTIME_MIGRATIONS, discover, migrate

REFERRAL_MIGRATIONS = Path(__file__).parents[2] / "services" / "referral" / "migrations"
SUBSCRIBE = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret, last_event_at)
VALUES ($1, $2, 'https://example.org/hook', 0.001, 'whsec_x', now() - interval '1 hour')"""
STATUSES = ["submitted", "acknowledged", "scheduled"]


async def _change(url: str, site: str, referral: uuid.UUID, status: str, commit: bool) -> None:
    conn = await asyncpg.connect(url)
    try:
        tx = conn.transaction()
        await tx.start()
        await on_status_change(
            conn,
            referral_id=referral,
            site_id=site,
            practice_id="practice-x",
            status=status,
            event_type="ReferralSubmitted",
            occurred_at=datetime.now(UTC),
        )
        await (tx.commit() if commit else tx.rollback())
    finally:
        await conn.close()


async def _walk(url: str, site: str, referral: uuid.UUID) -> None:
    """One referral's statuses, one after another, as the intake handlers make them."""
    for status in STATUSES:
        await _change(url, site, referral, status, commit=True)


async def _subscribed(conn: asyncpg.Connection, database_url: str, site: str) -> uuid.UUID:
    """The referral service's tables, and an active subscription of `site`; its id."""
    await migrate(
        conn, discover(("runtime", RUNTIME_MIGRATIONS), ("referral", REFERRAL_MIGRATIONS))
    )
    subscription = uuid.uuid4()
    await conn.execute(SUBSCRIBE, subscription, site)
    return subscription


async def _sequence(url: str, stop: asyncio.Event) -> None:
    conn = await asyncpg.connect(url)
    try:
        while not stop.is_set():
            async with conn.transaction():
                await number_queued(conn)
            await asyncio.sleep(0)
    finally:
        await conn.close()


async def test_concurrent_changes_and_sequencers_give_gap_free_ordered_numbers(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        subscription = await _subscribed(conn, database_url, "site-seq")
        # Two referrals walked before any sequencer runs: their statuses wait queued together.
        referrals = [uuid.uuid4() for _ in range(14)]
        for referral in referrals[:2]:
            await _walk(database_url, "site-seq", referral)
        stop = asyncio.Event()
        sequencers = [asyncio.create_task(_sequence(database_url, stop)) for _ in range(3)]
        rolled_back = [
            _change(database_url, "site-seq", uuid.uuid4(), "submitted", commit=False)
            for _ in range(4)
        ]
        walks = [_walk(database_url, "site-seq", r) for r in referrals[2:]]
        await asyncio.gather(*walks, *rolled_back)
        stop.set()
        await asyncio.gather(*sequencers)
        async with conn.transaction():
            await number_queued(conn)  # whatever the last change queued after the last pass

        rows = await conn.fetch(
            "SELECT event_number, status, payload FROM subscription_notifications"
            " WHERE subscription_id = $1 ORDER BY event_number",
            subscription,
        )
        total = len(referrals) * len(STATUSES)
        assert [r["event_number"] for r in rows] == list(range(1, total + 1))
        assert {r["status"] for r in rows} == {"pending"}
        payloads = [orjson.loads(r["payload"]) for r in rows]
        assert [p["event_number"] for p in payloads] == list(range(1, total + 1))
        for referral in referrals:
            statuses = [p["status"] for p in payloads if p["referral_id"] == str(referral)]
            assert statuses == STATUSES
        last = await conn.fetchval(
            "SELECT last_event_number FROM subscriptions WHERE id = $1", subscription
        )
        assert last == total
    finally:
        await conn.close()


async def test_queued_notifications_hold_back_heartbeats_until_numbered(
    database_url: str,
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        subscription = await _subscribed(conn, database_url, "site-beat")
        await _change(database_url, "site-beat", uuid.uuid4(), "submitted", commit=True)
        queued = await conn.fetchrow(
            "SELECT status, event_number FROM subscription_notifications"
            " WHERE subscription_id = $1",
            subscription,
        )
        assert (queued["status"], queued["event_number"]) == ("queued", None)
        async with conn.transaction():
            assert await record_heartbeats(conn) == 0  # not idle: something waits for a number
        async with conn.transaction():
            assert await number_queued(conn, subscription) == 1
        await conn.execute(
            "UPDATE subscription_notifications SET status = 'delivered' WHERE subscription_id = $1",
            subscription,
        )
        await asyncio.sleep(0.01)  # past the 1 ms heartbeat period
        async with conn.transaction():
            assert await record_heartbeats(conn) == 1
        numbers = await conn.fetch(
            "SELECT event_number, type FROM subscription_notifications"
            " WHERE subscription_id = $1 ORDER BY event_number",
            subscription,
        )
        assert [(r["event_number"], r["type"]) for r in numbers] == [
            (1, "referral.status_changed"),
            (2, "subscription.heartbeat"),
        ]
    finally:
        await conn.close()
