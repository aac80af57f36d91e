"""Webhook delivery's operations metrics for `GET /metrics`: notifications failing now (retrying),
given up, and subscriptions the subscriber's 410 turned off. Read from the database, so they
count the deliveries of every process (also `REFERRAL_WEBHOOK_DELIVERY=separate`). Counts only:
no subscription, organization or endpoint in a label."""

from __future__ import annotations

from warmlink.db import Connection
from warmlink.ops_metrics import Sample

# One round trip per scrape, each count with its own filter and index as before: pending
# notifications are few (the head of each subscription), and the given-up count reads a partial
# index (042_failed_notifications_index.sql).
WEBHOOK_HEALTH = """
SELECT pending.retrying, pending.oldest_pending_age_s,
       (SELECT count(*) FROM subscription_notifications WHERE status = 'failed') AS gave_up,
       (SELECT count(*) FROM subscriptions WHERE status = 'error') AS in_error
FROM (SELECT count(*) FILTER (WHERE attempts > 0) AS retrying,
             coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
                 AS oldest_pending_age_s
      FROM subscription_notifications WHERE status = 'pending') AS pending"""


async def webhook_metrics(conn: Connection) -> list[Sample]:
    pending = await conn.fetchrow(WEBHOOK_HEALTH)
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
            pending["gave_up"],
        ),
        Sample(
            "warmlink_webhook_subscriptions_in_error",
            "Subscriptions turned off because the subscriber answered 410 Gone.",
            "gauge",
            {},
            pending["in_error"],
        ),
    ]
