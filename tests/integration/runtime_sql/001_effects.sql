-- No unique constraint on purpose: a handler run twice would show up as two rows.
CREATE TABLE effects (
    event_id     uuid NOT NULL,
    screening_id uuid NOT NULL,
    patient_ref  text NOT NULL
);
