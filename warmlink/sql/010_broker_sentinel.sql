-- Where the relay left its sentinel record on the broker: one row per service database. A broker
-- that no longer holds that record at that offset has lost its log, and the relay re-publishes
-- the retained outbox on its own (warmlink/broker_loss.py).
CREATE TABLE broker_sentinel (
    singleton      boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    record_offset  bigint      NOT NULL,
    token          uuid        NOT NULL,
    placed_at      timestamptz NOT NULL DEFAULT now()
);
