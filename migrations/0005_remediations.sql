-- Remediations requested from Slack (or the CLI): one row per request, its approvals, and every
-- decision as an event. Nothing is ever deleted: the rows are the record an auditor reads.
CREATE TABLE remediation_requests (
  id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  action_kind TEXT NOT NULL,
  summary TEXT NOT NULL,
  -- The planned action (its exact Admin API request and every key it affects) and the finding, as JSON.
  action_json TEXT NOT NULL,
  finding_json TEXT NOT NULL,
  -- REMEDIATION when it was requested, then when it was executed (the daily cap counts per mode).
  mode TEXT NOT NULL CHECK (mode IN ('dry-run', 'on')),
  reason TEXT NOT NULL,
  acknowledged_in_use INTEGER NOT NULL DEFAULT 0,
  requested_by TEXT NOT NULL,
  requested_by_name TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'executing', 'done', 'already_gone', 'unconfirmed', 'failed', 'dry_run', 'rejected', 'expired', 'refused')),
  -- The request message in the report channel (updated with the outcome).
  channel TEXT,
  message_ts TEXT,
  decided_at TEXT,
  decided_by TEXT,
  -- The UTC day (YYYY-MM-DD) it was executed on: REMEDIATION_MAX_PER_DAY counts these.
  executed_day TEXT,
  executed_at TEXT,
  http_status INTEGER,
  outcome TEXT
);
CREATE INDEX remediation_requests_by_day ON remediation_requests (executed_day, mode);
CREATE INDEX remediation_requests_by_status ON remediation_requests (status, requested_at);
CREATE INDEX remediation_requests_by_fingerprint ON remediation_requests (fingerprint);

CREATE TABLE remediation_approvals (
  request_id TEXT NOT NULL REFERENCES remediation_requests (id),
  approver TEXT NOT NULL,
  approver_name TEXT NOT NULL,
  approved_at TEXT NOT NULL,
  PRIMARY KEY (request_id, approver)
);

CREATE TABLE remediation_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL REFERENCES remediation_requests (id),
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('requested', 'approved', 'rejected', 'expired', 'refused', 'executed', 'dry_run')),
  actor TEXT,
  detail TEXT
);
CREATE INDEX remediation_events_by_request ON remediation_events (request_id, seq);
