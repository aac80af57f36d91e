-- The message thread between a referral's referring site and its receiving practice (the
-- interim communications HL7 360X names). The text is free text about a patient: sealed like her
-- details, bound to the referral and the message (adapters/thread.py). Who wrote it (organization,
-- subject, roles) and when are ids and codes, readable for the thread's answers.
CREATE TABLE referral_messages (
    id               uuid        PRIMARY KEY,
    referral_id      uuid        NOT NULL REFERENCES referrals (id),
    side             text        NOT NULL CHECK (side IN ('site', 'practice')),
    organization_id  text        NOT NULL,
    author           text        NOT NULL,  -- the token's subject: person:<uuid> or a client
    role             text        NOT NULL,
    person_role      text,
    written_at       timestamptz NOT NULL,
    sealed           bytea       NOT NULL
);
-- A thread is read whole, oldest first.
CREATE INDEX referral_messages_by_referral ON referral_messages (referral_id, written_at, id);
