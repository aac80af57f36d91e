-- The timeline keeps the role and person role of whoever made each change, as the audit trail
-- does (runtime migration 003). NULL: a machine client, the network itself, or an entry written
-- before these columns.
ALTER TABLE referral_timeline
    ADD COLUMN role        text,
    ADD COLUMN person_role text;
