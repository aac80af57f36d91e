-- TRUNCATE fires no row trigger, so the append-only guard never saw it: a statement-level
-- BEFORE TRUNCATE trigger closes that. The guard's message names the table it guards, since the
-- services' own append-only tables (the referral timelines) use the same function.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Besides reads and writes of patient records: administrative actions (organizations, clients,
-- keys, people, subscriptions) and requests refused for their token or role. A refusal keeps why
-- (a reason code) and where from (the client's address); never the token.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('read', 'write', 'admin', 'refused'));
ALTER TABLE audit_log
    ADD COLUMN reason         text,
    ADD COLUMN client_address text;
