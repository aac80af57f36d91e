-- The 30-day follow-up measure counts each patient's first positive screen in the period, so a
-- positive screen keeps the site's pseudonymous patient_ref (a patient is that reference at that
-- site). NULL: recorded before this column, and counted as a patient of its own.
ALTER TABLE positive_screens ADD COLUMN patient_ref text;
CREATE INDEX positive_screens_by_patient ON positive_screens (site_id, patient_ref)
    WHERE patient_ref IS NOT NULL;
