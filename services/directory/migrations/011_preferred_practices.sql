-- Referral partners established in advance: each referring site's preferred practices, kept by
-- its site coordinator; matching shows those that fit first (docs/domain.md "Referral partners").
CREATE TABLE preferred_practices (
    organization_id text        NOT NULL REFERENCES organizations (id),
    practice_id     text        NOT NULL REFERENCES organizations (id),
    position        integer     NOT NULL,  -- the order the coordinator gave
    chosen_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, practice_id)
);
