-- Why a referral is urgent (contracts.codes.UrgencyReason): the screen's positive safety item,
-- which the server enforces whatever the site sent, or the site's own request. NULL: routine,
-- or submitted before the rule.
ALTER TABLE referrals ADD COLUMN urgency_reason text;
