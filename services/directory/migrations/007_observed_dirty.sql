-- Practices whose observed behaviour needs recomputing. The consumer marks a practice in the
-- event's transaction; a background task recomputes marked practices every few seconds, so a
-- busy practice costs one recomputation per interval instead of one per event.
CREATE TABLE practice_observed_dirty (
    practice_id  text        PRIMARY KEY,
    marked_at    timestamptz NOT NULL DEFAULT now()
);
