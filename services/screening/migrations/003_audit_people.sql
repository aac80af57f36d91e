-- A person's token names her, her person role and the client acting for her (the portal): the
-- audit trail keeps all of it. NULL: a machine client, or a row written before these columns.
ALTER TABLE audit_log
    ADD COLUMN person_role   text,
    ADD COLUMN acting_client text;
-- "Who read screening X": its rows are found by record id.
CREATE INDEX audit_log_by_record ON audit_log (record_id, id);
