import type { InventoryError, KeyOwner, KeyRecord, ProjectRef } from "./inventory.js";
import type { EnrichmentError, RunEnrichment } from "./enrichment.js";
import type { RunControl } from "./controls.js";
import { SEVERITIES, type Severity } from "./severity.js";

export type Trigger = "cron" | "http" | "slack" | "cli" | "demo";
export type RunStatus = "complete" | "incomplete" | "failed";

export { SEVERITIES };
export type { ControlStatus, RunControl } from "./controls.js";

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
  /**
   * What to do about it: the rule's `remediation:`, else its kind's default. Set on every finding
   * `concludeRun` makes; absent only in runs recorded before it existed (`remediationFor` then gives
   * the default of the finding's kind).
   */
  remediation?: string;
  /**
   * The OpenAI dashboard page where the key is managed (see report/dashboard-links.ts); null for a
   * project key whose project id does not look like one. Absent only in runs recorded before it existed.
   */
  dashboard_url?: string | null;
  /** Set when the run is recorded in the run history (issue 2/4). */
  lifecycle?: FindingLifecycle;
}

/**
 * Who let a key break a rule: the policy file (`approved_by`, when it says), or someone who
 * accepted the risk in Slack (`id` of the acceptance, `accepted_by`, `accepted_at`, `ticket`).
 * `source` is absent only in runs recorded before acceptances existed: read it as "policy"
 * (`exemptionSource`).
 */
export interface RunExemptionOrigin {
  source?: "policy" | "slack";
  approved_by?: string;
  id?: string;
  accepted_by?: { id: string; name: string };
  accepted_at?: string;
  ticket?: string;
}

/** An exemption that suppressed a finding of the run. */
export interface RunExemption extends RunExemptionOrigin {
  rule_id: string;
  key_id: string;
  reason: string;
  /** Last day (UTC, inclusive) it holds, YYYY-MM-DD. */
  expires: string;
  fingerprint: string;
}

/** An exemption that needs attention: `expired`, or `unused` (its key was not seen). */
export interface RunExemptionNotice extends RunExemptionOrigin {
  kind: string;
  rule_id: string;
  key_id: string;
  expires: string;
  reason: string;
}

/** An exemption that held when the run was evaluated, and whether it suppressed a finding. */
export interface RunExemptionInForce extends RunExemptionOrigin {
  rule_id: string;
  key_id: string;
  reason: string;
  expires: string;
  status: "applied" | "unused";
}

export function exemptionSource(exemption: RunExemptionOrigin): "policy" | "slack" {
  return exemption.source ?? "policy";
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
  /** Set when a remediation requested from Slack removed (or demoted) its key: the request's id. */
  resolved_by_remediation?: { id: string; executed_at: string | null };
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
  exemptions: RunExemption[];
  exemption_notices: RunExemptionNotice[];
  /**
   * Every exemption (policy and accepted in Slack) that held when the run was evaluated, applied or
   * not; for the evidence (exemptions.json). Empty for a failed run; absent in runs recorded before it existed.
   */
  exemptions_in_force?: RunExemptionInForce[];
  /**
   * Every control of the catalogue (src/controls) and how this run tested it; for the evidence
   * (controls.json). Absent in failed runs and in runs recorded before it existed.
   */
  controls?: RunControl[];
  errors: RunError[];
  /**
   * The enrichment (ENRICH, docs/enrichment.md): which sources were asked for and the requests they
   * took. Absent when none was asked for, the inventory saw no key, or the run failed.
   */
  enrichment?: RunEnrichment;
  /**
   * What the enrichment could not tell (at most one per source, e.g. "creator unavailable: …"): never
   * inventory errors, never making a complete run incomplete. Present whenever `enrichment` is.
   */
  enrichment_errors?: EnrichmentError[];
  /** Lifecycle counts against the run history; absent until the run is recorded. */
  lifecycle?: { new: number; open: number; resolved: number; resolved_findings: ResolvedFinding[] };
  /** The Slack report of this run, once delivery was attempted. */
  delivery?: SlackDelivery;
  /**
   * Where the evidence of this run is stored (issue 4/4). `failed_before_evidence`: the run failed
   * before it could write any (it could not start), so none is expected of it.
   */
  evidence?: { stored: boolean; prefix: string; manifest_sha256?: string; error?: string; failed_before_evidence?: boolean };
}

/** What happened to a run's Slack report; a failure is kept, never dropped, and retried by the durable run. */
export interface SlackDelivery {
  status: "delivered" | "failed";
  attempts: number;
  at: string;
  channel?: string;
  ts?: string;
  thread_messages?: number;
  /** The ts of each thread reply, in page order: the only messages an acceptance may update in place. */
  thread_ts?: string[];
  findings_delivered?: number;
  file_id?: string;
  /** On failure: the stage (main, thread, file) and Slack's error, redacted. */
  stage?: string;
  error?: string;
  /** On failure: what was posted before it, so a retry continues without posting twice. */
  posted?: { channel?: string; ts?: string; thread_messages: number; thread_ts?: string[] };
}

export function countBySeverity(findings: readonly { severity: Severity }[]): AuditRun["counts"]["findings"] {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: findings.length };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** A run that produced no result: status failed, with the reason. */
export function failedRun(input: {
  id: string;
  trigger: Trigger;
  started_at: string;
  finished_at: string;
  policy: AuditRun["policy"];
  reason: string;
  details: string[];
  requests?: number;
}): AuditRun {
  return {
    id: input.id,
    trigger: input.trigger,
    policy: input.policy,
    started_at: input.started_at,
    finished_at: input.finished_at,
    status: "failed",
    failure: { reason: input.reason, details: input.details },
    counts: {
      admin_keys: 0,
      projects: 0,
      archived_projects: 0,
      project_keys: 0,
      users: 0,
      api_requests: input.requests ?? 0,
      findings: countBySeverity([]),
    },
    findings: [],
    exemptions: [],
    exemption_notices: [],
    exemptions_in_force: [],
    errors: [],
  };
}
