import type { InventoryError, KeyOwner, KeyRecord, ProjectRef } from "../inventory/types.js";
import type { Severity } from "../policy/index.js";

export type Trigger = "cron" | "http" | "slack" | "cli" | "demo";
export type RunStatus = "complete" | "incomplete" | "failed";

export { SEVERITIES } from "../policy/index.js";

/** Across runs, by fingerprint: first seen in this run, or seen in an earlier one too. */
export type FindingLifecycle = "new" | "open";

export interface RunFinding {
  rule_id: string;
  rule_kind: string;
  severity: Severity;
  fingerprint: string;
  sentence: string;
  key: Omit<KeyRecord, "project" | "owner">;
  project: ProjectRef | null;
  owner: KeyOwner;
  /** Set when the run is recorded in the run history (issue 2/4). */
  lifecycle?: FindingLifecycle;
}

/** Findings of the previous complete run that this complete run no longer has. */
export interface ResolvedFinding {
  fingerprint: string;
  rule_id: string;
  severity: Severity;
  key_id: string;
  key_name: string | null;
  project: ProjectRef | null;
  /** The id of the run in which it was last seen. */
  last_seen_run: string;
}

export interface RunError extends InventoryError {
  /** The scope in words, e.g. `API keys of project "ml-research" (proj_ml)`. */
  where: string;
}

export interface AuditRun {
  id: string;
  trigger: Trigger;
  policy: { name: string; file: string; sha256: string };
  started_at: string;
  finished_at: string;
  status: RunStatus;
  /** Why the run could not produce a result (status failed). */
  failure?: { reason: string; details: string[] };
  counts: {
    admin_keys: number;
    projects: number;
    archived_projects: number;
    project_keys: number;
    users: number;
    api_requests: number;
    findings: Record<Severity, number> & { total: number };
  };
  findings: RunFinding[];
  exemptions: { rule_id: string; key_id: string; reason: string; expires: string; fingerprint: string }[];
  exemption_notices: { kind: string; rule_id: string; key_id: string; expires: string; reason: string }[];
  errors: RunError[];
  /** Lifecycle counts against the run history; absent until the run is recorded. */
  lifecycle?: { new: number; open: number; resolved: number; resolved_findings: ResolvedFinding[] };
  /** The Slack report of this run, once delivery was attempted. */
  delivery?: SlackDelivery;
  /** Where the evidence of this run is stored (issue 4/4). */
  evidence?: { stored: boolean; prefix: string; manifest_sha256?: string; error?: string };
}

/** What happened to a run's Slack report; a failure is kept, never dropped, and retried by the durable run. */
export interface SlackDelivery {
  status: "delivered" | "failed";
  attempts: number;
  at: string;
  channel?: string;
  ts?: string;
  thread_messages?: number;
  findings_delivered?: number;
  file_id?: string;
  /** On failure: the stage (main, thread, file) and Slack's error, redacted. */
  stage?: string;
  error?: string;
  /** On failure: what was posted before it, so a retry continues without posting twice. */
  posted?: { channel?: string; ts?: string; thread_messages: number };
}
