CREATE TABLE bench_effects (
    event_id    uuid        NOT NULL,
    screening_id uuid       NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now()
);
