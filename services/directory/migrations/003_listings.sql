-- The directory proper (HSDS 3.1 shapes): locations, services, capacity, and what referral
-- events tell us about each practice.
DROP TABLE referral_demand;  -- superseded by capacity_holds and referral_facts

CREATE TABLE locations (
    id               text             PRIMARY KEY,
    organization_id  text             NOT NULL REFERENCES organizations (id),
    name             text             NOT NULL,
    address_1        text             NOT NULL,
    city             text             NOT NULL,
    state            text             NOT NULL,
    postal_code      text             NOT NULL,
    latitude         double precision NOT NULL,
    longitude        double precision NOT NULL
);
CREATE INDEX locations_by_org ON locations (organization_id);
CREATE INDEX locations_by_position ON locations (latitude, longitude);

CREATE TABLE services (
    id                 text        PRIMARY KEY,
    organization_id    text        NOT NULL REFERENCES organizations (id),
    name               text        NOT NULL,
    description        text        NOT NULL DEFAULT '',
    level_of_care      text        NOT NULL,
    modalities         text[]      NOT NULL,
    populations        text[]      NOT NULL,
    postpartum_months  smallint    NOT NULL,
    pmhc_certified     boolean     NOT NULL,
    infant_welcome     boolean     NOT NULL,
    languages          text[]      NOT NULL,
    insurance_plans    text[]      NOT NULL,
    accepts_medicaid   boolean     NOT NULL,
    sliding_scale      boolean     NOT NULL,
    free               boolean     NOT NULL,
    telehealth_states  text[]      NOT NULL,
    location_ids       text[]      NOT NULL,
    intake_methods     text[]      NOT NULL,
    intake_phone       text,
    intake_url         text,
    intake_hours       jsonb       NOT NULL,
    time_zone          text        NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX services_by_org ON services (organization_id);
CREATE INDEX services_by_level ON services (level_of_care);
CREATE INDEX services_by_telehealth_state ON services USING gin (telehealth_states);

-- HSDS service_capacity for new-patient intake, with who confirmed it and when.
CREATE TABLE capacities (
    service_id              text        PRIMARY KEY REFERENCES services (id),
    available               integer     NOT NULL CHECK (available >= 0),
    maximum                 integer     NOT NULL CHECK (maximum >= 0),
    next_available_intake   date,
    accepting_new_patients  boolean     NOT NULL,
    waitlist_length         integer     NOT NULL CHECK (waitlist_length >= 0),
    verified_at             timestamptz NOT NULL,
    verified_by             text        NOT NULL,
    CHECK (available <= maximum)
);

-- One hold per referral and practice (a redirected referral holds at the next practice too):
-- moved by ReferralSubmitted / Redirected / Declined / Cancelled / AppointmentScheduled.
CREATE TABLE capacity_holds (
    referral_id  uuid        NOT NULL,
    practice_id  text        NOT NULL,
    service_id   text        NOT NULL,
    state        text        NOT NULL,
    took_slot    boolean     NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (referral_id, practice_id)
);

-- What happened to each referral, for observed behaviour per practice (rolling window).
CREATE TABLE referral_facts (
    referral_id           uuid        PRIMARY KEY,
    practice_id           text        NOT NULL,
    submitted_at          timestamptz NOT NULL,
    acknowledged_at       timestamptz,
    first_appointment_at  timestamptz,
    attended              boolean,
    declined_reason       text
);
CREATE INDEX referral_facts_by_practice ON referral_facts (practice_id, submitted_at);

CREATE TABLE practice_observed (
    practice_id  text        PRIMARY KEY,
    observed     jsonb       NOT NULL,
    computed_at  timestamptz NOT NULL
);
