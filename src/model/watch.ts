import type { Severity } from "./severity.js";

/**
 * The hourly watch between audits (issue 20): what one firing did, in all and per account. Plain
 * JSON: stored in D1, answered by GET /watch, printed by `keywarden watch`, listed in the next run's
 * evidence (watch.json, watch.csv). A firing is a partial view: it never resolves a finding and never
 * stands for a run.
 */

/** How an account's changes are found: OpenAI's audit log, or Anthropic's key list compared with the last one. */
export type WatchMethod = "audit_log" | "key_list";

export type WatchAccountStatus =
  /** What changed was read and judged. */
  | "watched"
  /** Nothing to compare with yet (no complete run, no earlier listing): where the watch starts was remembered, nothing judged. */
  | "started"
  /** The audit log is off in the organization or refused to the admin key: the weekly audit alone finds new keys. Not a failure. */
  | "audit_log_unavailable"
  /** A request failed: this firing saw nothing of the account; the next one starts from the same place. */
  | "failed"
  /**
   * More changes than one firing reads: the newest created were judged and the channel told how many
   * were not; the next firing judges the rest (or, beyond what a firing reads at all, the weekly audit).
   */
  | "too_many_changes"
  /**
   * Read and judged, except what could not be: audit-log events that could not be read, or keys they
   * name that no read found. Said in the channel; the weekly audit judges those. The watch goes on.
   */
  | "partial";

/** A finding the watch reported, as listed in a firing's record. */
export interface WatchFindingRef {
  fingerprint: string;
  rule_id: string;
  severity: Severity;
  key_id: string;
  key_name: string | null;
}

export interface WatchAccountOutcome {
  account: string;
  provider: "openai" | "anthropic";
  method: WatchMethod;
  status: WatchAccountStatus;
  /** Admin API requests, retries included. */
  requests: number;
  /** Audit-log events read (OpenAI) or keys listed (Anthropic). */
  changes_read: number;
  /** Keys read and judged: created or changed since the last firing. */
  keys_seen: number;
  /** New findings on those keys, reported at once. */
  findings: WatchFindingRef[];
  /** Findings on those keys not reported again: already open, or reported by an earlier firing. */
  already_reported: number;
  /** What the firing could not do, or why nothing was judged; null when nothing needs saying. */
  note: string | null;
}

/** Where the firing's findings went. */
export type WatchDelivery = "posted" | "no_findings" | "slack_off" | "failed";

export interface WatchFiring {
  /** `watch_20261123T061700Z_3f9a1c`: sorts by start; the Accept / Revoke buttons of its message carry it. */
  id: string;
  started_at: string;
  finished_at: string;
  /** The policy the keys were judged by (POLICY). */
  policy: string;
  accounts: WatchAccountOutcome[];
  /** Sums over the accounts. */
  requests: number;
  keys_seen: number;
  findings_posted: number;
  delivery: WatchDelivery;
  /** Why the delivery failed (redacted); absent otherwise. */
  delivery_error?: string;
}

/** Watch ids sort by start time, like run ids. */
export function newWatchId(startedAt: Date, random: () => string = () => crypto.randomUUID().replaceAll("-", "").slice(0, 6)): string {
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `watch_${stamp}_${random()}`;
}

export function isWatchId(id: string): boolean {
  return /^watch_\d{8}T\d{6}Z_[a-z0-9]+$/.test(id);
}
