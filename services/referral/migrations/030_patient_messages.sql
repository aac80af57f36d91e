-- The messages after her confirmation (docs/domain.md "The patient's messages"): her appointment,
-- a reminder the day before, "has the practice reached you?" after two business days. Each is
-- queued, sealed, in the transaction of the change that calls for it, and waits for its time in
-- `next_attempt_at`. What it is about is kept beside it, readable, so the sender can tell when it
-- has become moot (re-booked, cancelled, contact made, loop closed) without opening it.
ALTER TABLE patient_notifications
    ADD COLUMN kind           text NOT NULL DEFAULT 'confirmation',
    ADD COLUMN appointment_id uuid,
    ADD COLUMN practice_id    text;
ALTER TABLE patient_notifications DROP CONSTRAINT patient_notifications_status_check;
ALTER TABLE patient_notifications ADD CONSTRAINT patient_notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'moot'));
CREATE INDEX patient_notifications_referral ON patient_notifications (referral_id);

-- Her status page link (`<portal>/s/<token>`), issued with her first message. Only the token's
-- SHA-256 finds the row; the token itself is kept sealed (bound to its referral) so that later
-- messages carry the same link, and a copy of the table without the PHI key opens no page.
-- The practice's time zone at submission (changed by a redirect) says her appointment's time.
CREATE TABLE patient_status_links (
    referral_id   uuid        PRIMARY KEY REFERENCES referrals (id),
    token_sha256  bytea       NOT NULL UNIQUE,
    sealed_token  bytea       NOT NULL,
    time_zone     text        NOT NULL,
    issued_at     timestamptz NOT NULL
);
