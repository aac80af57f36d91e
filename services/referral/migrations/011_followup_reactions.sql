-- The referral service reacts to the follow-up service: an overdue acknowledgement or a
-- re-engagement puts the patient back on her site's worklist, and the timeline shows it.

-- Why a patient is on the worklist (a code the site can act on) and when she came back.
ALTER TABLE worklist_items ADD COLUMN reason text NOT NULL DEFAULT 'positive_screen';
ALTER TABLE worklist_items ADD COLUMN reason_detail text;
ALTER TABLE worklist_items ADD COLUMN returned_at timestamptz;
-- Items already back after a decline: their decline code was not kept, the fact was.
UPDATE worklist_items SET reason = 'declined'
WHERE status = 'needs_referral' AND referral_id IS NOT NULL;

-- Set when the follow-up service reported that the owning practice missed its acknowledgement
-- deadline: from then on the referring site may redirect the unacknowledged referral.
ALTER TABLE referrals ADD COLUMN ack_overdue_at timestamptz;

-- Timeline entries written for an event name it, so applying that event twice adds nothing.
ALTER TABLE referral_timeline ADD COLUMN event_id uuid;
CREATE UNIQUE INDEX referral_timeline_once_per_event ON referral_timeline (event_id, action)
    WHERE event_id IS NOT NULL;
