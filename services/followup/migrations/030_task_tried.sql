-- What the coordinator tried when she completed a follow-up (ReEngagementStep codes only: no
-- free text, so nothing about the patient is written here).
ALTER TABLE tasks ADD COLUMN tried text[] NOT NULL DEFAULT '{}';
