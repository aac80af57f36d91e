-- Screens recorded by referring sites. Scored on the server from the item answers.
CREATE TABLE screenings (
    id               uuid        PRIMARY KEY,
    organization_id  text        NOT NULL,
    recorded_by      text        NOT NULL,
    patient_ref      text        NOT NULL,
    instrument       text        NOT NULL,
    answers          smallint[]  NOT NULL,
    item_scores      smallint[]  NOT NULL,
    total            smallint    NOT NULL,
    band             text        NOT NULL,
    positive         boolean     NOT NULL,
    urgent           boolean     NOT NULL,
    setting          text        NOT NULL,
    screened_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX screenings_by_site ON screenings (organization_id, recorded_at DESC);
