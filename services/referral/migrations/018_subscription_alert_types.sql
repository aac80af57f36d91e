-- Alerts leave the building: SLA breaches and gate risks are notifications too (alert.*, beside
-- referral.status_changed; services/referral/subscriptions/domain/alerts.py). A subscription
-- chooses the notification types it takes; NULL takes every type, alerts included, so a referring
-- site that subscribed before hears of its alerts without asking. Handshakes and heartbeats are
-- the protocol itself and are always sent. `statuses` and `event_types` narrow status changes only.
ALTER TABLE subscriptions ADD COLUMN types text[];
