-- Organizations that sign their people in through their own identity provider (OpenID Connect).
CREATE TABLE identity_providers (
    id               uuid        PRIMARY KEY,
    organization_id  text        NOT NULL,
    display_name     text        NOT NULL,
    issuer           text        NOT NULL,
    client_id        text        NOT NULL,
    client_secret    bytea       NOT NULL,   -- sealed with PORTAL_SECRETS_KEY (AES-GCM)
    mfa_trusted      boolean     NOT NULL,   -- its multi-factor sign-in replaces the TOTP code
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- An email domain signs in through one provider at most.
CREATE TABLE identity_provider_domains (
    domain       text PRIMARY KEY,          -- lower case
    provider_id  uuid NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE
);

-- Sign-ins under way: kept from the redirect to the provider until the browser comes back,
-- then deleted (used once). Only digests of what the browser holds.
CREATE TABLE organization_sign_ins (
    state_sha256    bytea       PRIMARY KEY,
    binding_sha256  bytea       NOT NULL,
    provider_id     uuid        NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    nonce           text        NOT NULL,
    code_verifier   bytea       NOT NULL,   -- sealed, bound to the state's digest
    created_at      timestamptz NOT NULL
);
CREATE INDEX organization_sign_ins_by_age ON organization_sign_ins (created_at);

-- A provider's subject, linked to the person it first signed in as (by her verified email).
CREATE TABLE person_identities (
    provider_id  uuid        NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    subject      text        NOT NULL,
    person_id    uuid        NOT NULL REFERENCES people (id),
    linked_at    timestamptz NOT NULL,
    PRIMARY KEY (provider_id, subject),
    UNIQUE (provider_id, person_id)
);
