-- Run history: one row per audit run, its findings, and each finding's lifecycle across runs.

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  -- One organization per deployment today; the column keeps "one running run per organization" explicit.
  org TEXT NOT NULL DEFAULT 'default',
  trigger TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  notify INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'failed')),
  -- 1 from the trigger until the run's evidence is stored: the single-flight lock (the evidence chain
  -- needs each run to link to the one before it, so the next run waits for it).
  active INTEGER NOT NULL DEFAULT 1,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  -- The run JSON without its findings (those are rows of run_findings).
  summary_json TEXT,
  -- Slack slash-command follow-up (issue 3/4); null otherwise.
  response_url TEXT,
  requested_by TEXT
);

-- At most one active run per organization: a second insert fails and the caller gets the active run.
CREATE UNIQUE INDEX runs_one_active ON runs (org) WHERE active = 1;
CREATE INDEX runs_by_start ON runs (started_at DESC, id DESC);

CREATE TABLE run_findings (
  run_id TEXT NOT NULL REFERENCES runs (id),
  fingerprint TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  key_id TEXT NOT NULL,
  lifecycle TEXT NOT NULL CHECK (lifecycle IN ('new', 'open')),
  -- Order in the run (as evaluation sorted them: worst first), so GET /runs/:id returns them as evaluated.
  position INTEGER NOT NULL,
  finding_json TEXT NOT NULL,
  PRIMARY KEY (run_id, fingerprint)
);
CREATE INDEX run_findings_by_fingerprint ON run_findings (fingerprint);

-- Where each finding stands, per policy (a run under another policy must not resolve these).
CREATE TABLE finding_state (
  policy_name TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
  first_seen_run TEXT NOT NULL,
  last_seen_run TEXT NOT NULL,
  resolved_run TEXT,
  summary_json TEXT NOT NULL,
  PRIMARY KEY (policy_name, fingerprint)
);
