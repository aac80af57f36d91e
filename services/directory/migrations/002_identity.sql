-- Network identity: client credentials per organization and the token signing keys.
ALTER TABLE organizations ADD COLUMN practice_type text;
ALTER TABLE organizations ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN website text;
ALTER TABLE organizations ADD COLUMN phone text;

-- Secrets are 256-bit random values, so a SHA-256 digest is enough (no password stretching).
CREATE TABLE client_credentials (
    client_id        text        PRIMARY KEY,
    organization_id  text        NOT NULL REFERENCES organizations (id),
    secret_sha256    bytea       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz
);
CREATE INDEX client_credentials_by_org ON client_credentials (organization_id);

-- Ed25519 signing keys. The private key is sealed (AES-GCM) with the key-encryption key from
-- settings. `retired_at`: no longer signs; still published until `unpublish_at` so tokens signed
-- before a rotation stay valid until they expire.
CREATE TABLE signing_keys (
    kid           text        PRIMARY KEY,
    private_key   bytea       NOT NULL,
    public_jwk    jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    retired_at    timestamptz,
    unpublish_at  timestamptz
);
CREATE UNIQUE INDEX one_active_signing_key ON signing_keys ((true)) WHERE retired_at IS NULL;
