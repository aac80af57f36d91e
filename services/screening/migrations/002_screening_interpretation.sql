-- The perinatal period a screen was scored for and the cut-offs that applied, so that a screening
-- read back says which rule made it positive. NULL cut-offs: recorded before they were kept.
ALTER TABLE screenings
    ADD COLUMN period      text,
    ADD COLUMN positive_at smallint,
    ADD COLUMN probable_at smallint;
