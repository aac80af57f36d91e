-- Where each service can be reached, for matching: one row per in-person location and one per
-- telehealth state, kept in step with services and locations by triggers, so that matching
-- starts from an index on (level of care, place) instead of scanning every service.
CREATE TABLE service_reach (
    service_id     text             NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    level_of_care  text             NOT NULL,
    state          text,
    latitude       double precision,
    longitude      double precision
);
CREATE INDEX service_reach_by_place ON service_reach (level_of_care, latitude, longitude)
    WHERE latitude IS NOT NULL;
CREATE INDEX service_reach_by_state ON service_reach (level_of_care, state)
    WHERE state IS NOT NULL;
CREATE INDEX service_reach_by_service ON service_reach (service_id);

CREATE FUNCTION refresh_service_reach(p_service text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM service_reach WHERE service_id = p_service;
    INSERT INTO service_reach (service_id, level_of_care, latitude, longitude)
        SELECT s.id, s.level_of_care, l.latitude, l.longitude
        FROM services s JOIN locations l ON l.id = ANY (s.location_ids)
        WHERE s.id = p_service AND 'in_person' = ANY (s.modalities);
    INSERT INTO service_reach (service_id, level_of_care, state)
        SELECT s.id, s.level_of_care, st
        FROM services s, unnest(s.telehealth_states) AS st
        WHERE s.id = p_service AND 'telehealth' = ANY (s.modalities);
$$;

CREATE FUNCTION services_reach_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_service_reach(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER services_reach AFTER INSERT OR UPDATE ON services
    FOR EACH ROW EXECUTE FUNCTION services_reach_trigger();

CREATE FUNCTION locations_reach_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_service_reach(s.id) FROM services s WHERE NEW.id = ANY (s.location_ids);
    RETURN NULL;
END $$;
CREATE TRIGGER locations_reach AFTER INSERT OR UPDATE ON locations
    FOR EACH ROW EXECUTE FUNCTION locations_reach_trigger();
