-- Standard Webhooks asymmetric signatures as a subscription's choice (subscriptions/domain/signing.py):
-- `v1` signs with a shared HMAC secret, `v1a` with an ed25519 key pair the service makes. Either
-- signing key stays in secret_sealed; a v1a subscription also keeps its public key, which is not a
-- secret: the owner may read it back at any time (it changes only when the key is rotated).
ALTER TABLE subscriptions
    ADD COLUMN signature text NOT NULL DEFAULT 'v1' CHECK (signature IN ('v1', 'v1a')),
    ADD COLUMN public_key text,
    ADD CONSTRAINT public_key_for_v1a CHECK ((signature = 'v1a') = (public_key IS NOT NULL));
