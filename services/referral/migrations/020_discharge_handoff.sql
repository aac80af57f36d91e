-- The IOP/PHP discharge summary travels as a document, not a reference string: the bytes sealed
-- like the patient's details (adapters/documents.py), one current version per referral (a new
-- upload replaces it). Its type and size are not PHI; they stay readable for the API's answers.
CREATE TABLE discharge_summaries (
    referral_id   uuid        PRIMARY KEY REFERENCES referrals (id),
    content_type  text        NOT NULL,
    size_bytes    integer     NOT NULL,
    sealed        bytea       NOT NULL,
    attached_at   timestamptz NOT NULL,
    attached_by   text        NOT NULL
);

-- IOP/PHP: the IOP team's record that the outpatient provider confirmed she has the appointment
-- (the follow-up gate waits for it); who recorded it is in the timeline and the event.
ALTER TABLE referrals ADD COLUMN provider_confirmed_at timestamptz;
