-- Barriers to the first appointment she named before leaving the referring site
-- (ReferralSubmitted `barriers`, codes only): counted per group in the monthly review.
ALTER TABLE measure_referrals ADD COLUMN barriers text[] NOT NULL DEFAULT '{}';
