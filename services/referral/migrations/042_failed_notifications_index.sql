-- `GET /metrics` counts the notifications given up on every scrape; delivered ones pile up, so
-- the count reads a small partial index instead of the whole table.
CREATE INDEX subscription_notifications_failed
    ON subscription_notifications (subscription_id) WHERE status = 'failed';
