/**
 * watch.json / watch.csv: every firing of the hourly watch (issue 20) since the previous run with
 * evidence, up to this run's start: when, which accounts and how (audit log, key list), what it asked
 * and read, and each finding it reported at once. The watch only ever saw what changed; this run is
 * what judged every key. Written when at least one firing happened in the window. Covered by the
 * run's manifest.
 */
import type { WatchFiring } from "../model/watch.js";
import type { CsvCell } from "./csv.js";
import { compareText } from "./layout.js";
import type { RemediationsWindow } from "./remediations.js";

/** The firings' window: the same as remediations.json's (after the previous run's start, up to this run's). */
export type WatchWindow = RemediationsWindow;

function sorted(firings: readonly WatchFiring[]): WatchFiring[] {
  return [...firings].sort((a, b) => compareText(a.started_at, b.started_at) || compareText(a.id, b.id));
}

export function watchDocument(runId: string, window: WatchWindow, firings: readonly WatchFiring[]): unknown {
  return { run_id: runId, fired_after: window.after, fired_until: window.until, firings: sorted(firings) };
}

/** One row per account of each firing. */
export const WATCH_CSV_COLUMNS = [
  "run_id",
  "firing_id",
  "started_at",
  "finished_at",
  "policy",
  "account",
  "provider",
  "method",
  "status",
  "requests",
  "changes_read",
  "keys_seen",
  "findings_reported",
  "already_reported",
  "findings",
  "delivery",
  "note",
] as const;

export function watchRows(runId: string, firings: readonly WatchFiring[]): CsvCell[][] {
  return sorted(firings).flatMap((firing) =>
    firing.accounts.map((a) => [
      runId,
      firing.id,
      firing.started_at,
      firing.finished_at,
      firing.policy,
      a.account,
      a.provider,
      a.method,
      a.status,
      a.requests,
      a.changes_read,
      a.keys_seen,
      a.findings.length,
      a.already_reported,
      a.findings.map((f) => `${f.severity} ${f.rule_id} ${f.key_id} ${f.fingerprint}`).join("; "),
      firing.delivery,
      a.note,
    ]),
  );
}
