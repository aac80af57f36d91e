-- Marking a record as announced stale changes nothing a match reads (freshness comes from
-- verified_at), so it must not make every replica reload it: the sweep marks up to 500 at a
-- time. Only updates that set a column matching reads notify.
DROP TRIGGER capacities_changed ON capacities;
CREATE TRIGGER capacities_changed AFTER INSERT OR UPDATE OF
    available, maximum, next_available_intake, accepting_new_patients, waitlist_length,
    verified_at, verified_by ON capacities
    FOR EACH ROW EXECUTE FUNCTION notify_directory_change('service', 'service_id');
