/**
 * Where evidence lives: `runs/<yyyy>/<mm>/<run id>/<file>`, year and month of
 * the run's start in UTC, so a period is a handful of prefix listings.
 */
export const FORMAT = "keywarden-evidence/1";

export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.sig";
export const INDEX_JSON = "index.json";
export const INDEX_CSV = "index.csv";
/** A period export's own manifest (period-manifest.ts) and its signature, next to the index. */
export const PERIOD_MANIFEST_FILE = "period-manifest.json";
export const PERIOD_SIGNATURE_FILE = "period-manifest.sig";
/** Every file name a run's evidence may hold. */
export const EVIDENCE_FILE_NAMES: ReadonlySet<string> = new Set([
  "findings.json",
  "findings.csv",
  "exemptions.json",
  "exemptions.csv",
  "controls.json",
  "controls.csv",
  "inventory.json",
  "inventory.csv",
  "policy.yaml",
  "remediations.json",
  "remediations.csv",
  "acceptances.json",
  "acceptances.csv",
  "watch.json",
  "watch.csv",
  "manifest.json",
  "manifest.sig",
]);

const CONTENT_TYPES: Record<string, string> = {
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8; header=present",
  ".yaml": "application/yaml; charset=utf-8",
  ".sig": "text/plain; charset=us-ascii",
  ".zip": "application/zip",
};

export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot >= 0 && CONTENT_TYPES[name.slice(dot)]) || "application/octet-stream";
}

const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function evidencePrefix(run: { id: string; started_at: string }): string {
  if (!SAFE_RUN_ID.test(run.id)) throw new Error(`run id ${JSON.stringify(run.id)} cannot be used in an evidence path`);
  const started = new Date(run.started_at);
  if (Number.isNaN(started.getTime())) throw new Error(`run ${run.id} has an invalid started_at ${JSON.stringify(run.started_at)}`);
  return `runs/${monthPath(started.getUTCFullYear(), started.getUTCMonth() + 1)}/${run.id}/`;
}

/** The month prefixes (`runs/2026/10/`, `runs/2026/11/`) to list for runs started between `from` and `to` (inclusive). */
export function monthPrefixes(from: Date, to: Date): string[] {
  const prefixes: string[] = [];
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  const lastYear = to.getUTCFullYear();
  const lastMonth = to.getUTCMonth() + 1;
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    prefixes.push(`runs/${monthPath(year, month)}/`);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return prefixes;
}

/** The run id a prefix ends with (`runs/2026/11/run_x/` → `run_x`), or null for the root. */
export function runIdOfPrefix(prefix: string): string | null {
  const parts = prefix.split("/").filter((p) => p !== "");
  return parts.at(-1) ?? null;
}

function monthPath(year: number, month: number): string {
  return `${String(year).padStart(4, "0")}/${String(month).padStart(2, "0")}`;
}

/** Code-unit order: unlike localeCompare it is the same in every runtime and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Chain order: by start time, then id. */
export function compareRuns(a: { started_at: string; id: string }, b: { started_at: string; id: string }): number {
  return compareText(a.started_at, b.started_at) || compareText(a.id, b.id);
}
