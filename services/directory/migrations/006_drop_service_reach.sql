-- Matching now reads an in-memory index that follows `directory_changed` notifications
-- (adapters/match_index.py); the service_reach table from 004 is no longer read.
DROP TRIGGER locations_reach ON locations;
DROP TRIGGER services_reach ON services;
DROP FUNCTION locations_reach_trigger();
DROP FUNCTION services_reach_trigger();
DROP FUNCTION refresh_service_reach(text);
DROP TABLE service_reach;
