import type { Config } from "../config.js";
import type { AuditRun, Trigger } from "../model/run.js";
import type { PolicySource } from "../policy/check.js";
import type { AcceptanceStore } from "../store/acceptances.js";
import type { EnrichmentContext } from "../store/enrichment-state.js";
import type { EvidenceStore } from "../store/evidence-store.js";
import type { RemediationStore } from "../store/remediations.js";
import type { RunHistory } from "../store/run-history.js";
import type { WatchLog } from "../store/watch-log.js";
import type { WorkStore } from "../store/work-store.js";
import type { RunBase } from "./run.js";

/**
 * What the audit Workflow's steps touch (the stores, the settings, the clock, the bundled policies),
 * handed to their bodies as plain functions, so that every path — a slice error, a policy that changed
 * mid-run, evidence that cannot be stored — is tested in Node. The Workflow (src/worker/workflow.ts)
 * only says which step runs when, and how often it may be tried.
 */
export interface AuditParams {
  run_id: string;
  trigger: Trigger;
  policy: string;
  notify: boolean;
  started_at: string;
}

export interface AuditContext {
  params: AuditParams;
  history: RunHistory;
  /** Risks accepted from Slack: they exempt from the next run on. */
  acceptances: AcceptanceStore;
  /** Revokes requested from Slack: a finding whose key one removed is "resolved by remediation". */
  remediations: RemediationStore;
  work: WorkStore;
  /** Enrichment (ENRICH): its scratch space and sources; absent, no enrichment. */
  enrichment?: EnrichmentContext;
  evidence: EvidenceStore;
  /** The hourly watch's firings (issue 20): the evidence lists those since the previous run; absent, none. */
  watches?: WatchLog;
  /** The settings, read afresh in each step (a deploy may change them between steps). */
  settings: () => Config;
  now: () => Date;
  policy: (name: string) => PolicySource | undefined;
}

export interface SliceResult {
  requests: number;
  remaining: number;
  fatal: boolean;
}

export interface RecordedOutcome {
  status: string;
  summary: string;
}

export interface PolicyProblem {
  ref: AuditRun["policy"];
  details: string[];
}

export const runBase = (params: AuditParams): RunBase => ({ id: params.run_id, trigger: params.trigger, started_at: params.started_at });

/** The settings, or undefined when they cannot be read (a step recording a failure must still record it). */
export function safeSettings(ctx: AuditContext): Config | undefined {
  try {
    return ctx.settings();
  } catch {
    return undefined;
  }
}

/** What a thrown value says (callers redact it). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
