-- Stored idempotency responses and dead-letter values are purged after their retention
-- (warmlink/retention.py): a response can carry patient data (a screen's answers), a dead letter
-- the event it could not handle. The key row stays, so a late retry of a purged key is refused
-- (409) rather than run twice; the dead letter's row stays, so it is still explained.
ALTER TABLE idempotency_keys ADD COLUMN response_purged_at timestamptz;
CREATE INDEX idempotency_keys_response_kept ON idempotency_keys (created_at)
    WHERE response IS NOT NULL;

ALTER TABLE dead_letters ADD COLUMN value_purged_at timestamptz;
CREATE INDEX dead_letters_value_kept ON dead_letters (created_at) WHERE value_purged_at IS NULL;
-- A purged letter's value is gone, so its digest no longer tells letters apart: purged rows leave
-- the once-only index (a record redelivered after its letter was purged is recorded again).
DROP INDEX dead_letters_once;
CREATE UNIQUE INDEX dead_letters_once ON dead_letters
    (consumer, source_topic, source_partition, source_offset, md5(coalesce(value, ''::bytea)))
    WHERE value_purged_at IS NULL;
