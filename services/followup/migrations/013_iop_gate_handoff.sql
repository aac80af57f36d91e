-- The IOP/PHP gate waits for the summary delivered as a document and for the outpatient
-- provider's confirmation of the appointment. Tracks that exist already came from referrals
-- that carried the legacy summary reference: they keep the old rule (no confirmation asked).
ALTER TABLE referral_tracks
    ADD COLUMN provider_confirmation_required boolean NOT NULL DEFAULT false;
ALTER TABLE referral_tracks ADD COLUMN provider_confirmed boolean NOT NULL DEFAULT false;
