-- A tamper-evident chain over the audit rows: each row carries its chain (0-15), its place in
-- that chain (chain_seq 1, 2, 3...) and sha256(previous row's chain_hash in the chain || this
-- row's content), computed here at insert, so no caller can skip or forge it. An edited row no
-- longer matches its hash; a removed row leaves a gap in its chain (`warmlink audit verify`
-- names the first break).
--
-- A chain's inserts are put in order under a transaction-scoped advisory lock, held to commit: a
-- transaction that rolled back leaves no link the next one built on. With one chain every
-- auditing transaction would commit after the previous one (a quarter of the throughput, measured
-- in docs/design.md); with sixteen a transaction takes the first chain nobody holds, so they
-- commit together as before. A transaction keeps its chain for all its rows.
ALTER TABLE audit_log
    ADD COLUMN chain      smallint,
    ADD COLUMN chain_seq  bigint,
    ADD COLUMN chain_hash bytea;
CREATE UNIQUE INDEX audit_log_chain ON audit_log (chain, chain_seq);

-- The row's content as hashed: every column but the hash, the time as integer microseconds since
-- the epoch (text forms of a timestamptz depend on the session's TimeZone).
CREATE FUNCTION audit_log_content(a audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
    SELECT convert_to(jsonb_build_array(
        a.chain, a.chain_seq, a.id, (extract(epoch FROM a.occurred_at) * 1000000)::bigint,
        a.actor, a.organization_id, a.role, a.person_role, a.acting_client, a.action, a.purpose,
        a.record_type, a.record_id, a.reason, a.client_address
    )::text, 'UTF8')
$$;

-- SECURITY DEFINER: the service's runtime role, which may only INSERT and SELECT audit_log,
-- needs nothing more for its rows to be chained.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public AS $$
DECLARE
    chains CONSTANT int := 16;
    lock_class CONSTANT int := 1096107081;  -- 'AUDI'
    mine int := nullif(current_setting('warmlink.audit_chain', true), '')::int;
    previous record;
BEGIN
    IF mine IS NULL THEN
        FOR i IN 0 .. chains - 1 LOOP
            mine := (pg_backend_pid() + i) % chains;
            EXIT WHEN pg_try_advisory_xact_lock(lock_class, mine);
            mine := NULL;
        END LOOP;
        IF mine IS NULL THEN  -- every chain busy: wait for one (holding none, so no deadlock)
            mine := pg_backend_pid() % chains;
            PERFORM pg_advisory_xact_lock(lock_class, mine);
        END IF;
        PERFORM set_config('warmlink.audit_chain', mine::text, true);  -- to the transaction's end
    END IF;
    SELECT chain_seq, chain_hash INTO previous FROM audit_log
        WHERE chain = mine ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain := mine;
    NEW.chain_seq := coalesce(previous.chain_seq, 0) + 1;
    NEW.chain_hash := sha256(coalesce(previous.chain_hash, ''::bytea) || audit_log_content(NEW));
    RETURN NEW;
END $$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- Rows written before the chain are chained now, in id order, in chain 0.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r audit_log;
    h bytea := ''::bytea;
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
        n := n + 1;
        r.chain := 0;
        r.chain_seq := n;
        h := sha256(h || audit_log_content(r));
        UPDATE audit_log SET chain = 0, chain_seq = n, chain_hash = h WHERE id = r.id;
    END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
