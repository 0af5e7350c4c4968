-- Risks accepted from Slack: exemptions that exempt from the next run on, exactly like a policy exemption.
-- A revoked acceptance keeps its row (revoked_at, revoked_by): decisions are recorded, never erased.
CREATE TABLE accepted_exemptions (
  id TEXT PRIMARY KEY,
  policy_name TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  severity TEXT NOT NULL,
  reason TEXT NOT NULL,
  -- Last day it holds (YYYY-MM-DD, UTC, inclusive), like a policy exemption's `expires`.
  expires TEXT NOT NULL,
  ticket TEXT,
  accepted_by_id TEXT NOT NULL,
  accepted_by_name TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT 'slack',
  revoked_at TEXT,
  revoked_by TEXT
);
CREATE INDEX accepted_exemptions_by_policy ON accepted_exemptions (policy_name, revoked_at);

-- The Slack message an Accept-risk modal was opened from, so the submission can update that message.
CREATE TABLE acceptance_prompts (
  view_id TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  channel TEXT NOT NULL,
  message_ts TEXT NOT NULL,
  message_json TEXT NOT NULL,
  opened_by TEXT NOT NULL,
  opened_at TEXT NOT NULL
);
