-- Who the practice booked her with: the clinician's staff id (a user id, never a name, like
-- referrer_id), so it is a plain column the intake inbox can filter by. Replaced by the next
-- schedule; cleared when the referral is redirected to another practice.
ALTER TABLE referrals ADD COLUMN appointment_clinician text;
CREATE INDEX referrals_by_practice_clinician ON referrals (practice_id, appointment_clinician)
    WHERE appointment_clinician IS NOT NULL;
