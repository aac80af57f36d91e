-- Closed-loop subscriptions (docs/domain.md "Closed-loop notification"): webhooks and SSE for
-- referral status changes. Everything the delivery worker knows lives here, nothing in memory.

-- status follows FHIR Subscription.status: active (delivering), off (deactivated by its owner),
-- error (disabled by the endpoint answering 410 Gone).
CREATE TABLE subscriptions (
    id                          uuid             PRIMARY KEY,
    organization_id             text             NOT NULL,
    url                         text             NOT NULL,
    statuses                    text[],          -- NULL: every status
    event_types                 text[],          -- NULL: every referral event type
    heartbeat_s                 double precision NOT NULL CHECK (heartbeat_s > 0),
    status                      text             NOT NULL DEFAULT 'active'
                                CHECK (status IN ('active', 'off', 'error')),
    status_reason               text,
    -- Standard Webhooks secrets, stored as issued (shown to the owner only when issued). During
    -- a rotation deliveries are signed with both until previous_secret_expires_at.
    secret                      text             NOT NULL,
    previous_secret             text,
    previous_secret_expires_at  timestamptz,
    -- The running event number: the last one allocated (0 = only the handshake so far). It is
    -- bumped in the transaction that writes the notification, so numbers have no gaps.
    last_event_number           bigint           NOT NULL DEFAULT 0,
    last_event_at               timestamptz      NOT NULL DEFAULT now(),
    created_at                  timestamptz      NOT NULL DEFAULT now(),
    updated_at                  timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_by_owner ON subscriptions (organization_id) WHERE status = 'active';

-- One row per (subscription, event number); id is the Standard Webhooks `webhook-id`.
-- status: pending (to deliver, or being retried), delivered, failed (gave up after the retry
-- window; the next notification then proceeds and replay still returns this one).
CREATE TABLE subscription_notifications (
    id                 uuid        PRIMARY KEY,
    subscription_id    uuid        NOT NULL REFERENCES subscriptions (id),
    event_number       bigint      NOT NULL,
    type               text        NOT NULL,
    payload            jsonb       NOT NULL,
    status             text        NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts           integer     NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    -- The retry window starts here: at creation, or again at a manual redelivery.
    window_started_at  timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    delivered_at       timestamptz,
    UNIQUE (subscription_id, event_number)
);
-- The worker's question: the lowest pending number of each subscription (its head).
CREATE INDEX subscription_notifications_pending
    ON subscription_notifications (subscription_id, event_number) WHERE status = 'pending';

-- The delivery log: every attempt, its HTTP status or error, and how long it took.
CREATE TABLE subscription_deliveries (
    id               bigserial        PRIMARY KEY,
    notification_id  uuid             NOT NULL REFERENCES subscription_notifications (id),
    subscription_id  uuid             NOT NULL REFERENCES subscriptions (id),
    event_number     bigint           NOT NULL,
    attempt          integer          NOT NULL,
    attempted_at     timestamptz      NOT NULL DEFAULT now(),
    http_status      integer,
    error            text,
    duration_ms      double precision NOT NULL
);
CREATE INDEX subscription_deliveries_by_subscription ON subscription_deliveries (subscription_id, id);
