-- Every positive screen is accounted for: a screen nobody referred or closed in time escalates,
-- first to its site's coordinator, then to the network's. The same clocks and tasks as a
-- referral's, about a screen instead. Ids and codes only.

CREATE TABLE screen_tracks (
    screening_id    uuid        PRIMARY KEY,
    site_id         text        NOT NULL,
    urgent          boolean     NOT NULL,
    status          text        NOT NULL DEFAULT 'open',  -- open, referred, closed
    -- NULL until ScreenPositive arrives: a referral or a closure (other topics) can come first.
    screened_at     timestamptz,
    safety_outcome  text,
    updated_at      timestamptz NOT NULL
);

-- A clock or a task is about a referral or about a screen, never both.
ALTER TABLE clocks ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE clocks ALTER COLUMN practice_id DROP NOT NULL;
ALTER TABLE clocks ADD COLUMN screening_id uuid REFERENCES screen_tracks (screening_id);
ALTER TABLE clocks ADD CONSTRAINT clocks_one_subject
    CHECK ((referral_id IS NULL) <> (screening_id IS NULL));
ALTER TABLE clocks ADD CONSTRAINT clocks_screen_armed_once UNIQUE (screening_id, kind, armed_by);

ALTER TABLE tasks ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE tasks ALTER COLUMN practice_id DROP NOT NULL;
ALTER TABLE tasks ADD COLUMN screening_id uuid REFERENCES screen_tracks (screening_id);
ALTER TABLE tasks ADD CONSTRAINT tasks_one_subject
    CHECK ((referral_id IS NULL) <> (screening_id IS NULL));
ALTER TABLE tasks ADD CONSTRAINT tasks_screen_opened_once UNIQUE (screening_id, kind, source);
-- Whose list the task is on: the site's coordinator (site_id's), or the network's.
ALTER TABLE tasks ADD COLUMN assignee text NOT NULL DEFAULT 'site_coordinator';
CREATE INDEX tasks_open_for_network ON tasks (urgent DESC, due_at)
    WHERE status = 'open' AND assignee = 'network_coordinator';
