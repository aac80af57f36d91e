-- Every positive screen is accounted for: referred, or closed by the site with a coded reason;
-- an urgent one needs a safety assessment first; one left alone escalates (the follow-up
-- service's clocks say so). The closure's note is free text about a patient: sealed like the
-- patient's details (referral_repository.py) and never in an event.
ALTER TABLE worklist_items ADD COLUMN closure_reason text;
ALTER TABLE worklist_items ADD COLUMN closure_note_sealed bytea;
ALTER TABLE worklist_items ADD COLUMN closed_at timestamptz;
ALTER TABLE worklist_items ADD COLUMN closed_by text;
ALTER TABLE worklist_items ADD COLUMN safety_outcome text;
ALTER TABLE worklist_items ADD COLUMN safety_assessed_at timestamptz;
ALTER TABLE worklist_items ADD COLUMN safety_assessed_by text;
ALTER TABLE worklist_items ADD COLUMN escalation text;  -- site_coordinator, network_coordinator
ALTER TABLE worklist_items ADD COLUMN escalated_at timestamptz;

-- A screen's own history (a referral's lives in referral_timeline). Append-only; an entry written
-- for an event names it, so applying that event twice adds nothing.
CREATE TABLE worklist_timeline (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    screening_id     uuid        NOT NULL REFERENCES worklist_items (screening_id),
    at               timestamptz NOT NULL,
    action           text        NOT NULL,
    actor            text        NOT NULL,
    organization_id  text        NOT NULL,
    reason           text,
    event_id         uuid
);
CREATE INDEX worklist_timeline_by_screen ON worklist_timeline (screening_id, id);
CREATE UNIQUE INDEX worklist_timeline_once_per_event ON worklist_timeline (event_id, action)
    WHERE event_id IS NOT NULL;
CREATE TRIGGER worklist_timeline_append_only BEFORE UPDATE OR DELETE ON worklist_timeline
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
