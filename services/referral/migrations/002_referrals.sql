-- Referrals: the warm handoff and its intake. Patient details (PHI) live in their own table,
-- sealed with AES-GCM; everything else here is identifiers and clinical minimums.
CREATE TABLE referrals (
    id                     uuid        PRIMARY KEY,
    site_id                text        NOT NULL,
    practice_id            text        NOT NULL,
    service_id             text        NOT NULL,
    practice_name          text        NOT NULL,
    practice_phone         text,
    practice_url           text,
    screening_id           uuid,
    patient_ref            text        NOT NULL,
    setting                text        NOT NULL,
    method                 text        NOT NULL,
    urgency                text        NOT NULL,
    level_of_care          text        NOT NULL,
    referrer_id            text        NOT NULL,
    acting_for             text,
    consent_given          boolean     NOT NULL,
    part2                  boolean     NOT NULL,
    status                 text        NOT NULL,
    submitted_at           timestamptz NOT NULL,
    acknowledge_by         timestamptz NOT NULL,
    appointment_needed_by  timestamptz,
    infant_visit_ref       text,
    discharge_summary_ref  text,
    appointment_id         uuid,
    appointment_at         timestamptz,
    appointment_modality   text,
    contact_attempts       integer     NOT NULL DEFAULT 0,
    match_criteria         jsonb,
    updated_at             timestamptz NOT NULL
);
CREATE INDEX referrals_by_practice ON referrals (practice_id, status, acknowledge_by);
CREATE INDEX referrals_by_site ON referrals (site_id, status, submitted_at);

-- Sealed patient details; associated data binds each value to its referral id.
CREATE TABLE referral_patients (
    referral_id  uuid  PRIMARY KEY REFERENCES referrals (id),
    sealed       bytea NOT NULL
);

-- Every change with who, when and why: the referring site's timeline. Append-only.
CREATE TABLE referral_timeline (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id      uuid        NOT NULL REFERENCES referrals (id),
    at               timestamptz NOT NULL,
    status           text        NOT NULL,
    action           text        NOT NULL,
    actor            text        NOT NULL,
    organization_id  text        NOT NULL,
    practice_id      text        NOT NULL,
    reason           text
);
CREATE INDEX referral_timeline_by_referral ON referral_timeline (referral_id, id);
CREATE TRIGGER referral_timeline_append_only BEFORE UPDATE OR DELETE ON referral_timeline
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- A worklist item remembers the referral that answered it.
ALTER TABLE worklist_items ADD COLUMN referral_id uuid;
