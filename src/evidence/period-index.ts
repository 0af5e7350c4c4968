/**
 * index.json / index.csv of a period export: one entry per run, in chain
 * order, so an auditor sees at a glance what the ZIP holds and how it links.
 * The index is a convenience, not evidence of a run; period-manifest.json fixes its bytes.
 */
import { sha256Hex } from "../util/hash.js";
import { toCsv } from "./csv.js";
import { MANIFEST_FILE, SIGNATURE_FILE, compareRuns, runIdOfPrefix } from "./layout.js";
import { parseManifest } from "./manifest.js";
import type { RunWithoutEvidence } from "./without-evidence.js";

export const INDEX_FORMAT = "keywarden-evidence-index/1";

export interface IndexEntry {
  id: string;
  prefix: string;
  started_at: string | null;
  finished_at: string | null;
  status: string | null;
  trigger: string | null;
  findings: { critical: number; high: number; medium: number; low: number; info: number; total: number } | null;
  manifest_sha256: string | null;
  previous_manifest_sha256: string | null;
  signed: boolean;
  /** Set when the stored manifest could not be read: the run is listed anyway. */
  problem?: string;
}

export const INDEX_CSV_COLUMNS = [
  "run_id",
  "prefix",
  "started_at",
  "finished_at",
  "status",
  "trigger",
  "findings_total",
  "critical",
  "high",
  "medium",
  "low",
  "info",
  "manifest_sha256",
  "previous_manifest_sha256",
  "signed",
] as const;

export function indexEntries(runs: readonly { prefix: string; files: Record<string, Uint8Array> }[]): IndexEntry[] {
  const entries = runs.map(({ prefix, files }): IndexEntry => {
    const bytes = files[MANIFEST_FILE];
    const parsed = bytes ? parseManifest(bytes) : ({ ok: false, message: "manifest.json is missing" } as const);
    const run = parsed.ok ? parsed.manifest.run : null;
    const f = run?.counts.findings;
    const entry: IndexEntry = {
      id: run?.id ?? runIdOfPrefix(prefix) ?? prefix,
      prefix,
      started_at: run?.started_at ?? null,
      finished_at: run?.finished_at ?? null,
      status: run?.status ?? null,
      trigger: run?.trigger ?? null,
      findings: f ? { critical: f.critical, high: f.high, medium: f.medium, low: f.low, info: f.info, total: f.total } : null,
      manifest_sha256: bytes ? sha256Hex(bytes) : null,
      previous_manifest_sha256: parsed.ok ? parsed.manifest.previous_manifest_sha256 : null,
      signed: files[SIGNATURE_FILE] !== undefined,
    };
    if (!parsed.ok) entry.problem = parsed.message;
    return entry;
  });
  // Runs whose manifest could not be read go last.
  return entries.sort((a, b) =>
    a.started_at === null || b.started_at === null
      ? Number(a.started_at === null) - Number(b.started_at === null)
      : compareRuns({ started_at: a.started_at, id: a.id }, { started_at: b.started_at, id: b.id }),
  );
}

export function indexJson(
  entries: readonly IndexEntry[],
  period: { from: string; to: string },
  withoutEvidence: readonly RunWithoutEvidence[] = [],
): string {
  const gaps = withoutEvidence.map((g) => ({ id: g.id, started_at: g.started_at, status: g.status, reason: g.reason, failed_before_evidence: g.failed_before_evidence === true }));
  const index = { format: INDEX_FORMAT, period: { from: period.from, to: period.to }, runs: entries, runs_without_evidence: gaps };
  return `${JSON.stringify(index, null, 2)}\n`;
}

export function indexCsv(entries: readonly IndexEntry[]): string {
  return toCsv(
    INDEX_CSV_COLUMNS,
    entries.map((e) => [
      e.id,
      e.prefix,
      e.started_at,
      e.finished_at,
      e.status,
      e.trigger,
      e.findings?.total ?? null,
      e.findings?.critical ?? null,
      e.findings?.high ?? null,
      e.findings?.medium ?? null,
      e.findings?.low ?? null,
      e.findings?.info ?? null,
      e.manifest_sha256,
      e.previous_manifest_sha256,
      e.signed,
    ]),
  );
}
