-- The timelines are append-only (their row triggers refuse UPDATE and DELETE); TRUNCATE fires no
-- row trigger, so it is refused by a statement trigger of its own.
CREATE TRIGGER referral_timeline_no_truncate BEFORE TRUNCATE ON referral_timeline
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER worklist_timeline_no_truncate BEFORE TRUNCATE ON worklist_timeline
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
