"""Webhook delivery's operations metrics for `GET /metrics`: notifications failing now (retrying),
given up, and subscriptions the subscriber's 410 turned off. Read from the database, so they
count the deliveries of every process (also `REFERRAL_WEBHOOK_DELIVERY=separate`). Counts only:
no subscription, organization or endpoint in a label."""

from __future__ import annotations

from warmlink.db import Connection
from warmlink.ops_metrics import Sample

# Pending notifications are few (the head of each subscription): the partial index answers.
RETRYING = """
SELECT count(*) FILTER (WHERE attempts > 0) AS retrying,
       coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_pending_age_s
FROM subscription_notifications WHERE status = 'pending'"""
# Given up after the retry window (042_failed_notifications_index.sql keeps this an index scan).
GAVE_UP = "SELECT count(*) FROM subscription_notifications WHERE status = 'failed'"
IN_ERROR = "SELECT count(*) FROM subscriptions WHERE status = 'error'"


async def webhook_metrics(conn: Connection) -> list[Sample]:
    pending = await conn.fetchrow(RETRYING)
    assert pending is not None
    return [
        Sample(
            "warmlink_webhook_notifications_retrying",
            "Webhook notifications whose delivery failed at least once and is being retried.",
            "gauge",
            {},
            pending["retrying"],
        ),
        Sample(
            "warmlink_webhook_oldest_pending_age_seconds",
            "Age of the oldest webhook notification not yet delivered (0 when none).",
            "gauge",
            {},
            max(pending["oldest_pending_age_s"], 0.0),
        ),
        Sample(
            "warmlink_webhook_notifications_failed",
            "Webhook notifications given up after their retry window (replay sends them again).",
            "gauge",
            {},
            await conn.fetchval(GAVE_UP),
        ),
        Sample(
            "warmlink_webhook_subscriptions_in_error",
            "Subscriptions turned off because the subscriber answered 410 Gone.",
            "gauge",
            {},
            await conn.fetchval(IN_ERROR),
        ),
    ]
