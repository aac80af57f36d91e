-- People who sign in at the portal, their sessions and the sign-in audit.
CREATE TABLE people (
    id               uuid        PRIMARY KEY,
    organization_id  text        NOT NULL,
    role             text        NOT NULL,
    access_role      text        NOT NULL,
    email            text        NOT NULL,
    password_hash    text        NOT NULL,   -- argon2id, never the password
    totp_secret      bytea       NOT NULL,   -- sealed with PORTAL_SECRETS_KEY (AES-GCM)
    totp_last_step   bigint,                 -- a code's step is accepted once
    failed_attempts  integer     NOT NULL DEFAULT 0,
    lockouts         integer     NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    disabled_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_by_email ON people (lower(email));
CREATE INDEX people_by_organization ON people (organization_id);

-- Only the SHA-256 of the id the browser holds: a copy of this table opens no session.
CREATE TABLE sessions (
    id_sha256     bytea       PRIMARY KEY,
    stage         text        NOT NULL,
    csrf_token    text        NOT NULL,
    person_id     uuid        REFERENCES people (id),
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    ended         text,
    ended_at      timestamptz
);
CREATE INDEX sessions_by_person ON sessions (person_id) WHERE ended IS NULL;

-- Who tried to sign in, how it went, when. Never a password or a code.
CREATE TABLE sign_in_events (
    id         bigserial   PRIMARY KEY,
    person_id  uuid        REFERENCES people (id),
    outcome    text        NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX sign_in_events_by_person ON sign_in_events (person_id, at);
