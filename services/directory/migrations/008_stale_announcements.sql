-- When the directory last told the network that a capacity record went stale (NULL: not since
-- it was last confirmed). A confirmation clears it; the stale sweep sets it once per ageing.
ALTER TABLE capacities ADD COLUMN stale_announced_at timestamptz;
CREATE INDEX capacities_unannounced ON capacities (verified_at) WHERE stale_announced_at IS NULL;
