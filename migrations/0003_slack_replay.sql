-- Signatures of accepted Slack requests, kept until their timestamp leaves Slack's 5-minute window:
-- a captured request replayed inside the window is refused instead of starting another run.
CREATE TABLE slack_request_signatures (
  signature TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX slack_request_signatures_by_expiry ON slack_request_signatures (expires_at);
