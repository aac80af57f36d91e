-- Measures read model, referral side. De-identified: ids and codes only (no patient_ref: a
-- referral links to its screen by screening_id). Each fact is keyed by its own event (or
-- follow-up) id and written once, so redelivery and any arrival order across topics are harmless:
-- per-referral journeys are folded from these facts when a measure is computed.
CREATE TABLE measure_referrals (
    referral_id    uuid        PRIMARY KEY,
    site_id        text        NOT NULL,
    practice_id    text        NOT NULL,   -- the first practice; redirects are steps
    service_id     text        NOT NULL,
    screening_id   uuid,
    setting        text        NOT NULL,
    method         text        NOT NULL,
    urgency        text        NOT NULL,
    level_of_care  text        NOT NULL,
    submitted_at   timestamptz NOT NULL
);
CREATE INDEX measure_referrals_submitted ON measure_referrals (submitted_at);
CREATE INDEX measure_referrals_screening ON measure_referrals (screening_id)
    WHERE screening_id IS NOT NULL;

-- One row per lifecycle event after submission (acknowledged, declined, redirected, scheduled,
-- attended, missed, appointment_cancelled, cancelled, closed).
CREATE TABLE measure_referral_steps (
    event_id        uuid        PRIMARY KEY,
    referral_id     uuid        NOT NULL,
    kind            text        NOT NULL,
    practice_id     text        NOT NULL,   -- the practice owning the referral at this step
    at              timestamptz NOT NULL,
    appointment_id  uuid,
    appointment_at  timestamptz,
    reason          text                    -- decline / cancel / redirect / closure code
);
CREATE INDEX measure_referral_steps_referral ON measure_referral_steps (referral_id);
CREATE INDEX measure_referral_steps_practice ON measure_referral_steps (practice_id);

-- The clocks may detect one breach twice (a restart between detection and commit): the
-- (referral, kind, due_at) key keeps one.
CREATE TABLE measure_sla_breaches (
    referral_id  uuid        NOT NULL,
    kind         text        NOT NULL,
    due_at       timestamptz NOT NULL,
    site_id      text        NOT NULL,
    practice_id  text        NOT NULL,
    detected_at  timestamptz NOT NULL,
    urgent       boolean     NOT NULL,
    PRIMARY KEY (referral_id, kind, due_at)
);
CREATE INDEX measure_sla_breaches_detected ON measure_sla_breaches (detected_at);

CREATE TABLE measure_follow_ups (
    follow_up_id  uuid        PRIMARY KEY,
    referral_id   uuid        NOT NULL,
    site_id       text        NOT NULL,
    practice_id   text        NOT NULL,
    kind          text        NOT NULL,
    outcome       text        NOT NULL,
    barrier       text,
    completed_at  timestamptz NOT NULL
);
CREATE INDEX measure_follow_ups_referral ON measure_follow_ups (referral_id);
