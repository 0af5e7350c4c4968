-- Every decision on an accepted risk, appended in the same batch as the change it records, never
-- updated or deleted: a run's evidence lists the ones made since the previous run with evidence
-- (acceptances.json). An expiry is not a decision anyone takes: it is derived from `expires`.
ALTER TABLE accepted_exemptions ADD COLUMN revoke_reason TEXT;

CREATE TABLE acceptance_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  acceptance_id TEXT NOT NULL REFERENCES accepted_exemptions (id),
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('accepted', 'revoked')),
  -- Who: the Slack user (id and name) who accepted; for a revocation the name the API caller gave
  -- (the bearer token names no person), or 'api' when none was given.
  by_id TEXT,
  by_name TEXT,
  via TEXT NOT NULL CHECK (via IN ('slack', 'api')),
  -- Why: the acceptance's reason, or the revocation's (may be null).
  reason TEXT
);
-- An acceptance is accepted once and revoked at most once.
CREATE UNIQUE INDEX acceptance_events_once ON acceptance_events (acceptance_id, kind) WHERE kind IN ('accepted', 'revoked');
CREATE INDEX acceptance_events_by_at ON acceptance_events (at);

-- The decisions taken before this table existed, from the rows that recorded them.
INSERT INTO acceptance_events (acceptance_id, at, kind, by_id, by_name, via, reason)
  SELECT id, accepted_at, 'accepted', accepted_by_id, accepted_by_name, 'slack', reason FROM accepted_exemptions ORDER BY accepted_at, id;
INSERT INTO acceptance_events (acceptance_id, at, kind, by_id, by_name, via, reason)
  SELECT id, revoked_at, 'revoked', NULL, revoked_by, 'api', NULL FROM accepted_exemptions WHERE revoked_at IS NOT NULL ORDER BY revoked_at, id;
