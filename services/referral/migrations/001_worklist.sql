-- Patients with a positive screen who still need a warm handoff, per referring site.
CREATE TABLE worklist_items (
    screening_id  uuid        PRIMARY KEY,
    site_id       text        NOT NULL,
    patient_ref   text        NOT NULL,
    instrument    text        NOT NULL,
    total         smallint    NOT NULL,
    band          text        NOT NULL,
    urgent        boolean     NOT NULL,
    setting       text        NOT NULL,
    screened_at   timestamptz NOT NULL,
    status        text        NOT NULL DEFAULT 'needs_referral',
    added_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worklist_by_site ON worklist_items (site_id, status, urgent DESC, screened_at);
