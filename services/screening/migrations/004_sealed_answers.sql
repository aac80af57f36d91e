-- A screen's item answers (and the item scores, which give them away) are sealed at rest: the
-- service seals them into answers_sealed, bound to the row (AES-256-GCM; no key is in SQL, so this
-- migration cannot seal). Rows from before are sealed at start, and by `warmlink seal reseal`,
-- which empties their clear columns. Total, band, positive and the safety item's result (urgent)
-- stay in clear: they are the clinical minimums the ScreenPositive event carries.
ALTER TABLE screenings
    ADD COLUMN answers_sealed bytea,
    ALTER COLUMN answers DROP NOT NULL,
    ALTER COLUMN item_scores DROP NOT NULL,
    ADD CONSTRAINT screenings_answers_kept
        CHECK (answers_sealed IS NOT NULL OR (answers IS NOT NULL AND item_scores IS NOT NULL));
-- The backfill finds rows still in clear without reading the table (none, once it has run).
CREATE INDEX screenings_answers_in_clear ON screenings (id) WHERE answers IS NOT NULL;
