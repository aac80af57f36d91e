-- Shared runtime tables: every service database has them (applied before the service's own files).

-- Transactional outbox: written in the same transaction as the state change that caused the event.
-- The relay publishes rows in id order; rows stay after publishing for the retention window so a
-- range can be re-published when the broker lost them.
CREATE TABLE outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    topic         text        NOT NULL,
    key           text        NOT NULL,
    event_type    text        NOT NULL,
    payload       bytea       NOT NULL,
    headers       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_created_at ON outbox (created_at);

-- Wake the relay as soon as a transaction that wrote events commits (NOTIFY is delivered on commit).
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('warmlink_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

-- Idempotent inbox: one row per (consumer, event) written in the same transaction as the effect, so
-- a redelivered event hits the primary key and is skipped.
CREATE TABLE inbox (
    consumer      text        NOT NULL,
    event_id      uuid        NOT NULL,
    event_type    text        NOT NULL,
    outcome       text        NOT NULL CHECK (outcome IN ('processed', 'dead_lettered')),
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Dead letters are kept here as well as published (through the outbox) to the dead-letter topic:
-- the broker is never the only place a record lives.
CREATE TABLE dead_letters (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer        text        NOT NULL,
    source_topic    text        NOT NULL,
    source_partition integer    NOT NULL,
    source_offset   bigint      NOT NULL,
    event_id        uuid,
    reason          text        NOT NULL,
    error           text        NOT NULL,
    attempts        integer     NOT NULL,
    key             bytea,
    value           bytea,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Idempotency-Key support for POST endpoints: the first response is stored with the request hash.
CREATE TABLE idempotency_keys (
    organization_id text        NOT NULL,
    key             text        NOT NULL,
    request_hash    text        NOT NULL,
    status_code     integer,
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, key)
);

-- A redelivered undecodable record must not be dead-lettered twice.
CREATE UNIQUE INDEX dead_letters_once ON dead_letters
    (consumer, source_topic, source_partition, source_offset, md5(coalesce(value, ''::bytea)));

-- Append-only audit trail of every read and write of patient data (HIPAA audit controls).
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    actor           text        NOT NULL,
    organization_id text        NOT NULL,
    role            text        NOT NULL,
    action          text        NOT NULL CHECK (action IN ('read', 'write')),
    purpose         text        NOT NULL,
    record_type     text        NOT NULL,
    record_id       text        NOT NULL
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
