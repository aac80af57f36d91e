-- Barriers to the first appointment she named before leaving the referring site, as codes
-- (contracts.codes.AccessBarrier): shown to the practice, carried in ReferralSubmitted. Whether a
-- voicemail or a text is safe is a contact preference: it is sealed with her contact details.
ALTER TABLE referrals ADD COLUMN barriers text[] NOT NULL DEFAULT '{}';
