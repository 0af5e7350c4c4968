/**
 * remediations.json / remediations.csv: the revokes decided since the previous run (executed,
 * described in dry-run mode, rejected, expired or refused), with who requested and approved them,
 * the exact Admin API request and its answer. Part of each run's evidence, covered by its manifest.
 */
import type { RemediationView } from "../model/remediation.js";
import type { CsvCell } from "./csv.js";
import { type KeyAccountOf, unknownAccount } from "./key-accounts.js";

export interface RemediationsWindow {
  /** Decisions after this instant (the previous run's start; null: from the first decision) … */
  after: string | null;
  /** … up to and including this one (this run's start). */
  until: string;
}

export function remediationsDocument(runId: string, window: RemediationsWindow, remediations: readonly RemediationView[], accountOf: KeyAccountOf = unknownAccount): unknown {
  return { run_id: runId, decided_after: window.after, decided_until: window.until, remediations: remediations.map((r) => ({ ...r, ...accountOf(r.key_id) })) };
}

export const REMEDIATIONS_CSV_COLUMNS = [
  "id",
  "status",
  "mode",
  "action",
  "summary",
  "request_method",
  "request_path",
  "rule_id",
  "key_id",
  "keys_affected",
  "reason",
  "requested_by",
  "requested_at",
  "approved_by",
  "decided_at",
  "decided_by",
  "executed_at",
  "http_status",
  "outcome",
  "provider",
  "account",
] as const;

export function remediationsRows(remediations: readonly RemediationView[], accountOf: KeyAccountOf = unknownAccount): CsvCell[][] {
  return remediations.map((r) => [
    r.id,
    r.status,
    r.mode,
    r.action,
    r.summary,
    r.request.method,
    r.request.path,
    r.rule_id,
    r.key_id,
    r.keys_affected.map((k) => k.id).join(" "),
    r.reason,
    `${r.requested_by_name} (${r.requested_by})`,
    r.requested_at,
    r.approvals.map((a) => `${a.name} (${a.by}) at ${a.at}`).join("; "),
    r.decided_at,
    r.decided_by,
    r.executed_at,
    r.http_status,
    r.outcome,
    accountOf(r.key_id).provider,
    accountOf(r.key_id).account,
  ]);
}
