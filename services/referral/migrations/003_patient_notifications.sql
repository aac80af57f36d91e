-- The patient's confirmation (email or SMS), queued in the submission's transaction and sent
-- after commit by a worker: a crash between the two sends it late, never loses it. The
-- recipient and the message are PHI: sealed like the patient details.
CREATE TABLE patient_notifications (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id      uuid        NOT NULL REFERENCES referrals (id),
    channel          text        NOT NULL,
    sealed           bytea       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX patient_notifications_due ON patient_notifications (next_attempt_at)
    WHERE status = 'pending';
