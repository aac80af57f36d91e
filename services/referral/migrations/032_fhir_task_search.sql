-- The FHIR Task search (GET /fhir/Task) walks an organization's referrals in the order they last
-- changed, as referring site or as practice: one index per side, each already in that order, so
-- a page (and `_lastUpdated=ge...`) reads only its rows.
CREATE INDEX referrals_by_site_changed ON referrals (site_id, updated_at, id);
CREATE INDEX referrals_by_practice_changed ON referrals (practice_id, updated_at, id);
