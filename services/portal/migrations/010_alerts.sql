-- Alerts that reach people (docs/design.md, "Alerts"): each person's choices, and one row per
-- alert decided for her in the consumer's transaction of the event it announces.

-- Her choice per kind of alert: email, sms or none. No row: email.
CREATE TABLE alert_choices (
    person_id  uuid NOT NULL REFERENCES people (id),
    kind       text NOT NULL,
    channel    text NOT NULL,
    PRIMARY KEY (person_id, kind)
);

-- Her quiet hours (local times in her time zone; urgent alerts ignore them), her daily digest
-- and her own work number for SMS (sealed: it is hers, not a patient's, but it stays off logs).
CREATE TABLE alert_settings (
    person_id    uuid    PRIMARY KEY REFERENCES people (id),
    quiet_from   time,
    quiet_until  time,
    time_zone    text    NOT NULL,
    digest       boolean NOT NULL DEFAULT false,
    phone        bytea
);

-- Alerts carry no PHI: the kind, the organization, a link to sign in. A replayed event inserts
-- nothing (the unique key); the sender records each attempt.
CREATE TABLE alerts (
    id               bigserial   PRIMARY KEY,
    event_id         uuid        NOT NULL,
    person_id        uuid        NOT NULL REFERENCES people (id),
    kind             text        NOT NULL,
    organization_id  text        NOT NULL,   -- the organization the alert is about
    link             text        NOT NULL,   -- a path of the portal
    urgent           boolean     NOT NULL,
    channel          text        NOT NULL,   -- email, sms
    digest           boolean     NOT NULL,   -- gathered into her daily digest
    status           text        NOT NULL DEFAULT 'pending',  -- pending, sent, failed, dropped
    attempts         integer     NOT NULL DEFAULT 0,
    due_at           timestamptz NOT NULL,   -- after her quiet hours, or at her digest's hour
    last_error       text,                   -- the kind of failure, never the address
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz,
    UNIQUE (event_id, person_id, kind)
);
CREATE INDEX alerts_due ON alerts (due_at) WHERE status = 'pending';
CREATE INDEX alerts_of_person ON alerts (person_id, created_at DESC);
CREATE INDEX alerts_failed ON alerts (created_at DESC) WHERE status = 'failed';
