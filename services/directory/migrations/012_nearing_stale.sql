-- Capacity about to go stale, announced once per confirmation (CapacityNearingStale): keyed by
-- the confirmation's verified_at, so a new confirmation is announced again when it ages, and
-- the upsert that confirms capacity needs to clear nothing.
CREATE TABLE nearing_stale_announcements (
    service_id    text        NOT NULL REFERENCES services (id),
    verified_at   timestamptz NOT NULL,
    announced_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, verified_at)
);
