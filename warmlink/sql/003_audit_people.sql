-- A person's token names her, her person role and the client acting for her (the portal): every
-- service's audit trail keeps all of it, so "who read or changed this record" names a person and
-- what she does, and an EHR's calls still name its client. NULL: a machine client, or a row
-- written before these columns.
ALTER TABLE audit_log
    ADD COLUMN person_role   text,
    ADD COLUMN acting_client text;
-- "Who read record X": its rows are found by record id.
CREATE INDEX audit_log_by_record ON audit_log (record_id, id);
