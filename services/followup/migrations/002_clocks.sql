-- The follow-up service's clocks: what it knows of practices' calendars and of each referral,
-- the armed deadlines, the coordinator tasks they create and the breaches they record.
-- Ids and codes only: no patient details live here.

CREATE TABLE practice_calendars (
    practice_id   text        PRIMARY KEY,
    time_zone     text        NOT NULL,
    intake_hours  jsonb       NOT NULL,  -- [{"weekday": 0, "opens": "09:00", "closes": "17:00"}]
    updated_at    timestamptz NOT NULL
);

CREATE TABLE referral_tracks (
    referral_id            uuid        PRIMARY KEY,
    site_id                text        NOT NULL,
    practice_id            text        NOT NULL,
    setting                text        NOT NULL,
    urgent                 boolean     NOT NULL,
    status                 text        NOT NULL,
    submitted_at           timestamptz NOT NULL,
    discharge_summary_sent boolean     NOT NULL,
    appointment_needed_by  timestamptz,
    updated_at             timestamptz NOT NULL
);

CREATE TABLE clocks (
    id           uuid        PRIMARY KEY,
    referral_id  uuid        NOT NULL REFERENCES referral_tracks (referral_id),
    kind         text        NOT NULL,
    practice_id  text        NOT NULL,
    fire_at      timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    armed_by     uuid        NOT NULL,  -- the event that armed it: a redelivery cannot arm twice
    fired_at     timestamptz,
    note         text,
    UNIQUE (referral_id, kind, armed_by)
);
-- The scheduler's only question: which unfired clocks are due?
CREATE INDEX clocks_pending ON clocks (fire_at) WHERE fired_at IS NULL;

CREATE TABLE tasks (
    id            uuid        PRIMARY KEY,
    referral_id   uuid        NOT NULL REFERENCES referral_tracks (referral_id),
    site_id       text        NOT NULL,
    practice_id   text        NOT NULL,
    kind          text        NOT NULL,
    urgent        boolean     NOT NULL,
    status        text        NOT NULL DEFAULT 'open',  -- open, completed, resolved
    opened_at     timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    source        text        NOT NULL,  -- the clock or event that opened it
    closed_at     timestamptz,
    outcome       text,
    barrier       text,
    re_engaged    boolean,
    closed_by     text,  -- staff subject, or the event type that made it moot
    UNIQUE (referral_id, kind, source)
);
CREATE INDEX tasks_open_by_site ON tasks (site_id, urgent DESC, due_at) WHERE status = 'open';

CREATE TABLE sla_breaches (
    id           uuid        PRIMARY KEY,
    referral_id  uuid        NOT NULL REFERENCES referral_tracks (referral_id),
    site_id      text        NOT NULL,
    practice_id  text        NOT NULL,
    kind         text        NOT NULL,
    urgent       boolean     NOT NULL,
    due_at       timestamptz NOT NULL,
    detected_at  timestamptz NOT NULL
);
CREATE INDEX sla_breaches_by_time ON sla_breaches (detected_at);
