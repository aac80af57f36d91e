-- Tell every directory replica what changed, so its in-memory match index reloads just that.
-- Payload: 'service:<id>' or 'org:<id>'. NOTIFY is delivered on commit, once per distinct payload.
CREATE FUNCTION notify_directory_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('directory_changed', TG_ARGV[0] || ':' || (to_jsonb(NEW) ->> TG_ARGV[1]));
    RETURN NULL;
END $$;

CREATE TRIGGER services_changed AFTER INSERT OR UPDATE ON services
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('service', 'id');
CREATE TRIGGER capacities_changed AFTER INSERT OR UPDATE ON capacities
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('service', 'service_id');
CREATE TRIGGER organizations_changed AFTER INSERT OR UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('org', 'id');
CREATE TRIGGER locations_changed AFTER INSERT OR UPDATE ON locations
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('org', 'organization_id');
CREATE TRIGGER practice_observed_changed AFTER INSERT OR UPDATE ON practice_observed
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('org', 'practice_id');
