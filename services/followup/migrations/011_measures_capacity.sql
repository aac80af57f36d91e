-- Measures read model, capacity side: the directory's practice profiles and capacity, codes only.
-- Profiles and capacity are state transfers; a row keeps the newest (`updated_at` / `as_of`), so
-- an old event arriving late never overwrites a newer one.
CREATE TABLE measure_practices (
    practice_id          text        PRIMARY KEY,
    accepting_referrals  boolean     NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE TABLE measure_services (
    practice_id    text NOT NULL,
    service_id     text NOT NULL,
    level_of_care  text NOT NULL,
    area           text,              -- NULL: telehealth
    PRIMARY KEY (practice_id, service_id)
);

CREATE TABLE measure_capacity (
    practice_id             text        NOT NULL,
    service_id              text        NOT NULL,
    available               integer     NOT NULL,
    maximum                 integer     NOT NULL,
    next_available_intake   date,
    accepting_new_patients  boolean     NOT NULL,
    verified_at             timestamptz NOT NULL,
    stale                   boolean     NOT NULL,
    as_of                   timestamptz NOT NULL,   -- the event's occurred_at
    PRIMARY KEY (practice_id, service_id)
);
