-- The hourly watch between audits (issue 20): each firing as it happened, the findings it reported,
-- and where each account's watch stands. A firing never touches runs or finding_state: it is a
-- partial view, the weekly audit stays the proof.

-- One row per firing: when, what it asked (requests), what it read (keys), what it reported. The
-- run after it lists the firings since the run before in its evidence (watch.json, watch.csv).
CREATE TABLE watch_firings (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  requests INTEGER NOT NULL,
  keys_seen INTEGER NOT NULL,
  findings_posted INTEGER NOT NULL,
  -- The whole firing (model/watch.ts WatchFiring), its accounts and their findings included.
  firing_json TEXT NOT NULL
);
CREATE INDEX watch_firings_by_start ON watch_firings (started_at);

-- Each finding a firing reported, as the Accept / Revoke buttons of its message name it
-- (`<firing id>:<fingerprint>`), and so that no later firing reports it again.
CREATE TABLE watch_findings (
  firing_id TEXT NOT NULL REFERENCES watch_firings (id),
  fingerprint TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  finding_json TEXT NOT NULL,
  PRIMARY KEY (firing_id, fingerprint)
);
CREATE INDEX watch_findings_by_fingerprint ON watch_findings (fingerprint, reported_at);

-- Per configured account: where its audit log was read up to (OpenAI), when its key list was last
-- stored (Anthropic), and why its audit log cannot be read while it cannot (said once in Slack).
CREATE TABLE watch_accounts (
  account TEXT PRIMARY KEY,
  -- Every audit-log event before cursor_at (unix seconds), and those at it whose id is in cursor_ids (JSON), was read.
  cursor_at INTEGER,
  cursor_ids TEXT NOT NULL DEFAULT '[]',
  -- Changes held back (more than a firing judges): what was judged since cursor_at, as JSON
  -- {change: effective_at of its latest event}; NULL when nothing was held back.
  cursor_judged TEXT,
  listed_at TEXT,
  audit_log_unavailable TEXT,
  unavailable_since TEXT
);

-- Anthropic (no audit log): the keys the last listing saw, each as a digest of what a rule may read,
-- to tell the keys created or changed since.
CREATE TABLE watch_keys (
  account TEXT NOT NULL,
  key_id TEXT NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY (account, key_id)
);
