/**
 * The period export (one ZIP: every run's files under its prefix, plus
 * index.json and index.csv, the report for people, report.html, when the
 * runs recorded controls, controls-summary.json and .csv, and the export's own
 * manifest, period-manifest.json, signed in period-manifest.sig like a run's)
 * and the reverse: any set of paths grouped into runs for verification
 * (read-zip.ts reads a ZIP, read-directory.ts a folder). The files next to the
 * index are derived from the runs (see DERIVED_FILES in evidence-tree.ts);
 * the period manifest fixes their bytes.
 */
import { type Zippable, zipSync } from "fflate";
import { KEYWARDEN_VERSION } from "../version.js";
import { CONTROLS_SUMMARY_CSV, CONTROLS_SUMMARY_JSON, controlsSummaryFiles } from "../report/html/controls-summary-files.js";
import { REPORT_FILE, renderPeriodReport } from "../report/html/period-report.js";
import { checkEntryNames } from "./entry-names.js";
import type { EvidenceContent } from "./evidence-content.js";
import { type EvidenceTree, assembleEvidenceTree, planEvidenceTree, plannedPaths } from "./evidence-tree.js";
import { INDEX_CSV, INDEX_JSON, PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE, compareText } from "./layout.js";
import { indexCsv, indexEntries, indexJson } from "./period-index.js";
import { serializePeriodManifest } from "./period-manifest.js";
import { type EvidenceSigningKey, signManifest } from "./signing.js";
import type { RunWithoutEvidence } from "./without-evidence.js";

export type { EvidenceTree, UnverifiedEntry } from "./evidence-tree.js";
export type { RunWithoutEvidence } from "./without-evidence.js";
export { type ReadZipOptions, type ZipRead, readEvidenceZip } from "./read-zip.js";

export interface StoredRun {
  /** `runs/<yyyy>/<mm>/<run id>/` */
  prefix: string;
  /** File name → bytes, exactly as stored. */
  files: Record<string, Uint8Array>;
}

// fflate stamps entries with the local-time fields of this date: built from local fields, it is the same everywhere.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);


export interface EvidenceZipOptions {
  /** Configured secrets: kept out of report.html whatever a stored value holds (the runs' files are copied as stored). */
  secrets?: readonly (string | undefined)[];
  /** From EVIDENCE_SIGNING_KEY: signs period-manifest.json; null or absent: unsigned, as the runs then are. */
  signingKey?: EvidenceSigningKey | null;
  /** The version named in period-manifest.json (default: this one). */
  version?: string;
}

export async function buildEvidenceZip(
  runs: readonly StoredRun[],
  period: { from: string; to: string },
  withoutEvidence: readonly RunWithoutEvidence[] = [],
  options: EvidenceZipOptions = {},
): Promise<Uint8Array> {
  const entries = indexEntries(runs);
  const encoder = new TextEncoder();
  const files: Record<string, Uint8Array> = {};
  for (const run of runs) {
    for (const [name, content] of Object.entries(run.files)) files[`${run.prefix}${name}`] = content;
  }
  files[INDEX_JSON] = encoder.encode(indexJson(entries, period, withoutEvidence));
  files[INDEX_CSV] = encoder.encode(indexCsv(entries));
  files[REPORT_FILE] = encoder.encode(renderPeriodReport({ period, runs, withoutEvidence, secrets: options.secrets }));
  const controls = controlsSummaryFiles(runs, period);
  if (controls) {
    files[CONTROLS_SUMMARY_JSON] = encoder.encode(controls.json);
    files[CONTROLS_SUMMARY_CSV] = encoder.encode(controls.csv);
  }
  const beside = Object.keys(files).filter((path) => !runs.some((run) => path.startsWith(run.prefix)));
  const periodManifest = serializePeriodManifest({
    period,
    runs: entries.flatMap((e) => (e.manifest_sha256 === null ? [] : [{ id: e.id, prefix: e.prefix, manifest_sha256: e.manifest_sha256 }])),
    files: beside.map((name) => ({ name, content: files[name] as Uint8Array })),
    version: options.version ?? KEYWARDEN_VERSION,
    signingPublicKeySha256: options.signingKey?.publicKey.sha256 ?? null,
  });
  files[PERIOD_MANIFEST_FILE] = periodManifest;
  if (options.signingKey) files[PERIOD_SIGNATURE_FILE] = encoder.encode(`${await signManifest(periodManifest, options.signingKey)}\n`);
  const zippable: Zippable = {};
  for (const path of Object.keys(files).sort(compareText)) zippable[path] = files[path] as Uint8Array;
  return zipSync(zippable, { level: 6, mtime: FIXED_MTIME });
}

/**
 * The tree of files already in memory (path → content), checked like a ZIP's
 * entries: unsafe or non-canonical paths and files that are not evidence are
 * named in `unverified`, never silently dropped.
 */
export function groupEvidencePaths(entries: Record<string, EvidenceContent>): EvidenceTree {
  const paths = Object.keys(entries);
  const { accepted, problems } = checkEntryNames(paths);
  const plan = planEvidenceTree(paths.filter((path, i) => accepted[i] && !path.endsWith("/")));
  const contents = new Map(plannedPaths(plan).map((path) => [path, entries[path] as EvidenceContent]));
  return assembleEvidenceTree(plan, contents, problems);
}
