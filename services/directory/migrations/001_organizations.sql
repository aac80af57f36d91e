-- Network members: referring sites, receiving practices, the network administration.
-- (Skeleton for the directory issue: HSDS listings and capacity come next.)
CREATE TABLE organizations (
    id          text        PRIMARY KEY,
    name        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('hospital', 'ob', 'pediatric', 'iop_php',
                                                      'practice', 'network')),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Referrals each practice has received, from ReferralSubmitted: the seed of capacity holds.
CREATE TABLE referral_demand (
    referral_id   uuid        PRIMARY KEY,
    practice_id   text        NOT NULL,
    service_id    text        NOT NULL,
    urgency       text        NOT NULL,
    submitted_at  timestamptz NOT NULL
);
