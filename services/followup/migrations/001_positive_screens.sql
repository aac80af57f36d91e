-- Positive screens, de-identified beyond the site's pseudonymous reference: the denominator of the
-- HEDIS-style "positive screen followed up within 30 days" measure. (Skeleton for the follow-up issue.)
CREATE TABLE positive_screens (
    screening_id  uuid        PRIMARY KEY,
    site_id       text        NOT NULL,
    instrument    text        NOT NULL,
    band          text        NOT NULL,
    urgent        boolean     NOT NULL,
    setting       text        NOT NULL,
    screened_at   timestamptz NOT NULL
);
