-- Webhook secrets at rest are sealed with the referral service's keyring (AES-256-GCM with key
-- ids, warmlink/crypto.py) and bound to their subscription, so a sealed secret copied into
-- another row does not open. They were stored as issued: anyone who could read this table could
-- sign notifications as the network. `secret` and `previous_secret` now hold only what a database
-- from before this migration kept; the service seals those at startup and clears them
-- (services/referral/subscriptions/sealing.py).
ALTER TABLE subscriptions
    ADD COLUMN secret_sealed bytea,
    ADD COLUMN previous_secret_sealed bytea,
    ALTER COLUMN secret DROP NOT NULL,
    ADD CONSTRAINT secret_kept CHECK (secret IS NOT NULL OR secret_sealed IS NOT NULL);
