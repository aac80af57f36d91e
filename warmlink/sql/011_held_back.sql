-- Holding back: once an event for key K (a referral's, a screening's id) is dead-lettered, later
-- events of K for that consumer are kept here, not applied, until a person resolves the dead
-- letter (`warmlink deadletters replay|discard`); then they are applied in the order they came.
-- Applying them meanwhile could act on a referral whose earlier step never happened.
ALTER TABLE inbox DROP CONSTRAINT inbox_outcome_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_outcome_check
    CHECK (outcome IN ('processed', 'dead_lettered', 'held_back')) NOT VALID;
ALTER TABLE inbox VALIDATE CONSTRAINT inbox_outcome_check;

-- What a person asked for (resolution) and when the consumer carried it out (resolved_at).
-- A replay that failed again keeps the letter open, with why in replay_error.
ALTER TABLE dead_letters
    ADD COLUMN resolution   text CHECK (resolution IN ('replay', 'discard', 'before_holding_back')),
    ADD COLUMN resolved_at  timestamptz,
    ADD COLUMN replay_error text;
-- Letters from before this migration held nothing back: later events were applied already.
UPDATE dead_letters SET resolution = 'before_holding_back', resolved_at = now();
-- The consumer asks this at every batch: which of these keys have an open letter?
CREATE INDEX dead_letters_open_by_key ON dead_letters (consumer, key) WHERE resolved_at IS NULL;

CREATE TABLE held_back (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer         text        NOT NULL,
    key              bytea       NOT NULL,
    event_id         uuid        NOT NULL,
    source_topic     text        NOT NULL,
    source_partition integer     NOT NULL,
    source_offset    bigint      NOT NULL,
    value            bytea       NOT NULL,
    held_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consumer, event_id)
);
CREATE INDEX held_back_in_order ON held_back (consumer, key, id);
