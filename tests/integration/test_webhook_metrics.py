"""The referral service's webhook failure metrics, read from its tables: what is retried now,
what was given up, and which subscriptions a 410 turned off."""

from __future__ import annotations

import uuid

from services.referral.subscriptions.adapters.ops import webhook_metrics
from tests.support.migrated import migrated_pool

SUBSCRIPTION = """
INSERT INTO subscriptions (id, organization_id, url, heartbeat_s, secret, status)
VALUES ($1, 'riverside-ob', 'https://example.org/hook', 60, 'whsec_test', $2)"""
NOTIFICATION = """
INSERT INTO subscription_notifications (id, subscription_id, event_number, type, payload,
                                        status, attempts, created_at)
VALUES ($1, $2, $3, 'referral.status_changed', '{}', $4, $5, now() - interval '90 seconds')"""


async def test_failures_are_counted_by_what_became_of_them(database_url: str) -> None:
    pool = await migrated_pool(database_url, "referral")
    try:
        async with pool.acquire() as conn:
            before = {s.name: s.value for s in await webhook_metrics(conn)}
            working, gone = uuid.uuid4(), uuid.uuid4()
            await conn.execute(SUBSCRIPTION, working, "active")
            await conn.execute(SUBSCRIPTION, gone, "error")
            for number, (status, attempts) in enumerate(
                [("delivered", 1), ("failed", 9), ("pending", 3), ("pending", 0)], start=1
            ):
                await conn.execute(NOTIFICATION, uuid.uuid4(), working, number, status, attempts)
            after = {s.name: s.value for s in await webhook_metrics(conn)}
    finally:
        await pool.close()
    assert before == {
        "warmlink_webhook_notifications_retrying": 0,
        "warmlink_webhook_oldest_pending_age_seconds": 0.0,
        "warmlink_webhook_notifications_failed": 0,
        "warmlink_webhook_subscriptions_in_error": 0,
    }
    assert after["warmlink_webhook_notifications_retrying"] == 1  # pending, tried before
    assert after["warmlink_webhook_notifications_failed"] == 1
    assert after["warmlink_webhook_subscriptions_in_error"] == 1
    assert after["warmlink_webhook_oldest_pending_age_seconds"] >= 90
