-- The referring site's own list of its referrals and what the patient is told.
-- `language`: the language she reads (BCP 47); her panel and messages are written in it.
-- `first_appointment_at`: the first appointment ever booked for the referral, kept when it is
-- re-booked or redirected (appointment_at is only the current one): the monthly review counts
-- from it. A referral booked before this column keeps its current appointment as the best known.
ALTER TABLE referrals ADD COLUMN language text NOT NULL DEFAULT 'en';
ALTER TABLE referrals ADD COLUMN first_appointment_at timestamptz;
UPDATE referrals SET first_appointment_at = appointment_at WHERE appointment_at IS NOT NULL;
-- The site's list, newest first, paged by (submitted_at, id).
CREATE INDEX referrals_by_site_newest ON referrals (site_id, submitted_at DESC, id DESC);
-- The timeline entries the list reads by kind: who submitted it, when it was acknowledged...
CREATE INDEX referral_timeline_by_action ON referral_timeline (referral_id, action, id);
