-- Invitations an organization's people administrator sends, and the portal's outgoing mail.
CREATE TABLE invitations (
    id               uuid        PRIMARY KEY,
    organization_id  text        NOT NULL,
    role             text        NOT NULL,
    access_role      text        NOT NULL,
    email            text        NOT NULL,
    token_sha256     bytea       NOT NULL UNIQUE,  -- the link's token is never stored
    totp_secret      bytea       NOT NULL,         -- sealed with PORTAL_SECRETS_KEY (AES-GCM)
    invited_by       uuid        NOT NULL REFERENCES people (id),
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz,
    revoked_at       timestamptz,
    person_id        uuid        REFERENCES people (id)  -- the account it became
);
-- One open invitation per email: a second is a resend of the first.
CREATE UNIQUE INDEX invitations_open_by_email ON invitations (lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_by_organization ON invitations (organization_id, created_at);

-- Mail the portal sends after the commit that wrote it (workers/outgoing_mail.py). The message
-- is sealed, because an invitation's link accepts it; once sent, only the record remains.
CREATE TABLE outgoing_mail (
    id               bigserial   PRIMARY KEY,
    kind             text        NOT NULL,
    about            uuid        NOT NULL,          -- the invitation it belongs to
    sealed           bytea,                         -- to, subject, body; NULL once sent
    status           text        NOT NULL DEFAULT 'pending',  -- pending, sent, failed
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    last_error       text,                          -- the kind of failure, never the address
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz
);
CREATE INDEX outgoing_mail_due ON outgoing_mail (next_attempt_at) WHERE status = 'pending';
