-- FHIR R4 Backport subscriptions (hl7.fhir.uv.subscriptions-backport 1.1.0) are rows of this same
-- table, delivered by the same worker (subscriptions/domain/backport.py): only their shape differs.
-- shape: `warmlink` (the JSON notifications of docs/api.md) or `fhir-backport` (history Bundles
-- with a SubscriptionStatus first, rendered at delivery against fhir_base, the FHIR base URL the
-- subscriber used to create it).
-- organization_role narrows status changes to those where the subscriber is the Task's requester
-- (the referring site) or its owner (the practice); NULL takes both, as before.
ALTER TABLE subscriptions
    ADD COLUMN shape text NOT NULL DEFAULT 'warmlink' CHECK (shape IN ('warmlink', 'fhir-backport')),
    ADD COLUMN fhir_base text,
    ADD COLUMN organization_role text CHECK (organization_role IN ('requester', 'owner')),
    ADD CONSTRAINT fhir_base_for_backport CHECK ((shape = 'fhir-backport') = (fhir_base IS NOT NULL));
-- A Backport notification's events-since-subscription-start (handshake and heartbeats not
-- counted), set when it is first claimed (subscriptions/adapters/claims.py); NULL otherwise.
ALTER TABLE subscription_notifications ADD COLUMN events_since_start bigint;
