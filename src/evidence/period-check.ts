/**
 * A period export against its period-manifest.json: its signature, the period, each run's manifest
 * SHA-256 (which fixes the run's files, checked against that manifest), and every other file of
 * the export — the index, report.html, controls-summary.* — by SHA-256 and size. A folder that
 * holds an export's files but no period manifest fails: nothing covers them, and removing the
 * period manifest must not be a way to get an edited report through.
 */
import { type EvidenceContent, digestOf } from "./evidence-content.js";
import { PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE, compareText } from "./layout.js";
import { type PeriodManifest, parsePeriodManifest } from "./period-manifest.js";
import { checkManifestSignature } from "./signature-check.js";
import type { EvidencePublicKey } from "./signing.js";
import type { VerifyProblem } from "./verify-problem.js";

export interface PeriodExportFiles {
  manifest: Uint8Array | null;
  signature: Uint8Array | null;
  /** The folder holding them (`` at the top): paths in the period manifest are relative to it. */
  dir: string;
  /** The other files of the export outside the runs (index.*, report.html, controls-summary.*), path → content. */
  files: ReadonlyMap<string, EvidenceContent>;
  /** Read from a ZIP: only GET /evidence makes those, and it always writes a period manifest. */
  zip: boolean;
}

/** A run present, as verify read its manifest. */
export interface PresentRun {
  id: string;
  prefix: string;
  sha256: string;
  started_at: string;
}

const M = PERIOD_MANIFEST_FILE;

export async function checkPeriodExport(exp: PeriodExportFiles, runs: readonly PresentRun[], publicKey: EvidencePublicKey | undefined, notes: string[]): Promise<VerifyProblem[]> {
  const rel = (path: string) => (path.startsWith(exp.dir) ? path.slice(exp.dir.length) : path);
  const present = new Map([...exp.files].map(([path, content]) => [rel(path), content]));
  const names = [...present.keys()].sort(compareText);
  if (!exp.manifest) {
    if (names.length > 0) {
      const what = `${names.join(", ")} ${names.length === 1 ? "is" : "are"}`;
      return [{ file: M, message: `missing: ${what} not covered by any hash or signature (an export made before Keywarden wrote period manifests, or its manifest was removed); export the period again` }];
    }
    if (exp.signature) return [{ file: M, message: `missing, but ${PERIOD_SIGNATURE_FILE} is here: the period manifest was removed` }];
    if (exp.zip) {
      return [{ file: M, message: "missing: a period export (GET /evidence) always holds it; without it nothing shows that no run at either end of the period was removed; export the period again" }];
    }
    notes.push(`not a period export (no ${M}): the runs here verify as a chain, but a run missing before the first or after the last cannot be seen; verify the period's ZIP for that`);
    return [];
  }
  const parsed = parsePeriodManifest(exp.manifest);
  if (!parsed.ok) return [{ file: M, message: `${parsed.message}: the period manifest was altered or is not Keywarden's` }];
  const manifest = parsed.manifest;
  const problems = [
    ...(await checkManifestSignature(
      { manifestName: M, label: M, signatureName: PERIOD_SIGNATURE_FILE, bytes: exp.manifest, declared: manifest.signature, signature: exp.signature },
      publicKey,
    )),
    ...checkRuns(manifest, runs.map((run) => ({ ...run, prefix: rel(run.prefix) }))),
    ...checkFiles(manifest, present),
  ];
  const { from, to } = manifest.period;
  if (problems.length === 0) notes.push(`period ${from} to ${to}: ${names.join(", ") || "no other file"} match${names.length === 1 ? "es" : ""} ${M}`);
  return problems;
}

/** The runs present are the runs listed, with the listed manifests, under the listed prefixes, started in the period. */
function checkRuns(manifest: PeriodManifest, runs: readonly PresentRun[]): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const byId = new Map(runs.map((run) => [run.id, run]));
  for (const listed of manifest.runs) {
    const run = byId.get(listed.id);
    if (!run) problems.push({ run: listed.id, message: `missing: ${M} lists it under ${listed.prefix} with manifest ${listed.manifest_sha256}` });
    else if (run.sha256 !== listed.manifest_sha256) problems.push({ run: run.id, file: M, message: `its manifest.json hashes to ${run.sha256}, ${M} says ${listed.manifest_sha256}` });
    else if (run.prefix !== listed.prefix) problems.push({ run: run.id, file: M, message: `stored under ${run.prefix}, ${M} lists it under ${listed.prefix}` });
  }
  const listedIds = new Set(manifest.runs.map((r) => r.id));
  const { from, to } = manifest.period;
  for (const run of runs) {
    if (!listedIds.has(run.id)) problems.push({ run: run.id, message: `not listed in ${M}: a run added to the export` });
    if (run.started_at < `${from}T00:00:00.000Z` || run.started_at >= `${to}T24:00:00.000Z`) {
      problems.push({ run: run.id, message: `started at ${run.started_at}, outside the period ${from} to ${to} of ${M}` });
    }
  }
  return problems;
}

/** Every other file of the export is listed, with its bytes. */
function checkFiles(manifest: PeriodManifest, present: ReadonlyMap<string, EvidenceContent>): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const entry of manifest.files) {
    const content = present.get(entry.name);
    if (!content) {
      problems.push({ file: entry.name, message: `missing (listed in ${M})` });
      continue;
    }
    const { size, sha256 } = digestOf(content);
    if (size !== entry.size || sha256 !== entry.sha256) {
      problems.push({ file: entry.name, message: `altered: ${size} bytes, sha256 ${sha256}; ${M} says ${entry.size} bytes, sha256 ${entry.sha256}` });
    }
  }
  const listed = new Set(manifest.files.map((f) => f.name));
  for (const name of [...present.keys()].sort(compareText)) if (!listed.has(name)) problems.push({ file: name, message: `not listed in ${M}` });
  return problems;
}
