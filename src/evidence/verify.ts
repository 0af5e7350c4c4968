/**
 * Offline verification of stored evidence: every file against its manifest,
 * the manifests against each other (the hash chain), and the signatures
 * against a public key obtained outside the evidence. Pure: bytes in, report out.
 */
import { sha256Hex } from "../util/hash.js";
import { type EvidenceContent, digestOf, isBytes } from "./evidence-content.js";
import type { EvidenceTree, UnverifiedEntry } from "./evidence-tree.js";
import { checkIndex } from "./index-check.js";
import { EVIDENCE_FILE_NAMES, INDEX_CSV, INDEX_JSON, MANIFEST_FILE, SIGNATURE_FILE, compareRuns, compareText, runIdOfPrefix } from "./layout.js";
import { type Manifest, parseManifest } from "./manifest.js";
import { type PeriodExportFiles, checkPeriodExport } from "./period-check.js";
import { checkManifestSignature } from "./signature-check.js";
import type { EvidencePublicKey } from "./signing.js";
import type { VerifyProblem } from "./verify-problem.js";

export type { VerifyProblem } from "./verify-problem.js";

export interface VerifyReport {
  ok: boolean;
  runs: number;
  problems: VerifyProblem[];
  notes: string[];
}

export interface VerifyOptions {
  /** When given, every manifest must carry a valid signature by this key. */
  publicKey?: EvidencePublicKey;
  /** index.json of a period export: cross-checked against the runs present. */
  index?: Uint8Array | null;
  /** index.csv of a period export: must be the same table as index.json. */
  indexCsv?: Uint8Array | null;
  /** The folder holding the index (`` at the top): the index's run prefixes are relative to it. */
  indexDir?: string;
  /** Directories with files but no manifest.json (see groupEvidencePaths). */
  orphans?: readonly { dir: string; files: readonly string[] }[];
  /** Manifest SHA-256s kept outside the evidence store: each must be the manifest of a run present. */
  anchors?: readonly string[];
  /** Entries of the ZIP or folder that were not checked (see EvidenceTree.unverified): each is a failure. */
  unverified?: readonly UnverifiedEntry[];
  /** A period export's own files (its manifest, signature, index and derived files): checked against the period manifest. */
  period?: PeriodExportFiles;
  /** Files skipped as file-manager metadata: named in a note. */
  ignored?: readonly string[];
}

/** Verifies everything a ZIP or folder held: its runs, index, orphans and the entries that could not be checked. */
export function verifyEvidenceTree(tree: EvidenceTree, opts: Pick<VerifyOptions, "publicKey" | "anchors"> & { zip?: boolean } = {}): Promise<VerifyReport> {
  const { zip = false, ...rest } = opts;
  return verifyEvidence(tree.runs, {
    ...rest,
    index: tree.index,
    indexCsv: tree.indexCsv,
    indexDir: tree.indexDir,
    orphans: tree.orphans,
    unverified: tree.unverified,
    period: { manifest: tree.periodManifest, signature: tree.periodSignature, dir: tree.indexDir, files: periodFilesOf(tree), zip },
    ignored: tree.ignored,
  });
}

/** The export's files outside the runs that its period manifest lists: the index and the derived files. */
function periodFilesOf(tree: EvidenceTree): Map<string, EvidenceContent> {
  const files = new Map(tree.derived);
  if (tree.index) files.set(`${tree.indexDir}${INDEX_JSON}`, tree.index);
  if (tree.indexCsv) files.set(`${tree.indexDir}${INDEX_CSV}`, tree.indexCsv);
  return files;
}

interface ReadRun {
  prefix: string;
  files: Record<string, EvidenceContent>;
  manifest: Manifest;
  bytes: Uint8Array;
  sha256: string;
}

const RESERVED = new Set([MANIFEST_FILE, SIGNATURE_FILE]);

export async function verifyEvidence(runs: ReadonlyMap<string, Record<string, EvidenceContent>>, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = (opts.unverified ?? []).map((entry) => ({ file: entry.path, message: entry.message }));
  const notes: string[] = [];
  const readable: ReadRun[] = [];

  for (const prefix of [...runs.keys()].sort(compareText)) {
    const files = runs.get(prefix) ?? {};
    const label = runIdOfPrefix(prefix) ?? "(root)";
    const bytes = files[MANIFEST_FILE];
    if (!bytes) {
      problems.push({ run: label, file: MANIFEST_FILE, message: "missing" });
      continue;
    }
    if (!isBytes(bytes)) {
      problems.push({ run: label, file: MANIFEST_FILE, message: "given as a digest: verify needs its bytes" });
      continue;
    }
    const parsed = parseManifest(bytes);
    if (!parsed.ok) {
      problems.push({ run: label, file: MANIFEST_FILE, message: `${parsed.message}: the manifest was altered or is not Keywarden evidence` });
      continue;
    }
    const stored = runIdOfPrefix(prefix);
    if (stored !== null && stored !== parsed.manifest.run.id) {
      problems.push({ run: parsed.manifest.run.id, message: `stored under ${prefix} but its manifest is for run ${parsed.manifest.run.id}` });
    }
    readable.push({ prefix, files, manifest: parsed.manifest, bytes, sha256: sha256Hex(bytes) });
  }
  readable.sort((a, b) => compareRuns(a.manifest.run, b.manifest.run));

  for (const run of readable) {
    problems.push(...checkFiles(run));
    problems.push(...(await checkSignature(run, opts.publicKey)));
  }
  problems.push(...checkDuplicates(readable));
  problems.push(...checkChain(readable, notes));
  const indexed = readable.map((r) => ({ id: r.manifest.run.id, prefix: r.prefix, manifestBytes: r.bytes, sha256: r.sha256, signed: r.files[SIGNATURE_FILE] !== undefined }));
  if (opts.period) {
    const present = readable.map((r) => ({ id: r.manifest.run.id, prefix: r.prefix, sha256: r.sha256, started_at: r.manifest.run.started_at }));
    problems.push(...(await checkPeriodExport(opts.period, present, opts.publicKey, notes)));
  }
  problems.push(...checkIndex({ json: opts.index ?? null, csv: opts.indexCsv ?? null, dir: opts.indexDir ?? "" }, indexed, notes));
  for (const anchor of opts.anchors ?? []) {
    const wanted = anchor.trim().toLowerCase();
    if (!readable.some((r) => r.sha256 === wanted)) {
      problems.push({ message: `anchor ${wanted} is the hash of no manifest here: that run is missing or its manifest was altered` });
    }
  }
  // Evidence files without a manifest are a run whose manifest went missing; anything else (a README, the public key) is not evidence.
  for (const orphan of opts.orphans ?? []) {
    const where = orphan.dir || "./";
    if (orphan.files.some((name) => EVIDENCE_FILE_NAMES.has(name))) {
      problems.push({ run: runIdOfPrefix(orphan.dir) ?? "(root)", message: `${where} holds ${orphan.files.join(", ")} but no manifest.json` });
    } else {
      notes.push(`ignored ${where}: ${orphan.files.join(", ")} (not evidence)`);
    }
  }

  if (opts.ignored && opts.ignored.length > 0) notes.push(`ignored file-manager metadata (not evidence): ${opts.ignored.join(", ")}`);

  if (runs.size === 0 && problems.length === 0) problems.push({ message: "no evidence found: no manifest.json anywhere" });
  const signed = readable.filter((r) => r.files[SIGNATURE_FILE]).length;
  if (!opts.publicKey) {
    notes.push(signed > 0 ? `signatures not checked: ${signed} of ${readable.length} manifests are signed; pass the public key to check them` : "no manifest is signed");
  }
  return { ok: problems.length === 0, runs: runs.size, problems, notes };
}

function checkFiles(run: ReadRun): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const id = run.manifest.run.id;
  const listed = new Set<string>();
  for (const entry of run.manifest.files) {
    listed.add(entry.name);
    if (RESERVED.has(entry.name) || entry.name.includes("/")) {
      problems.push({ run: id, file: entry.name, message: "the manifest lists a file name evidence never uses" });
      continue;
    }
    const content = run.files[entry.name];
    if (!content) {
      problems.push({ run: id, file: entry.name, message: "missing (listed in the manifest)" });
      continue;
    }
    const { size, sha256: actual } = digestOf(content);
    if (actual !== entry.sha256 || size !== entry.size) {
      problems.push({
        run: id,
        file: entry.name,
        message: `altered: ${size} bytes, sha256 ${actual}; the manifest says ${entry.size} bytes, sha256 ${entry.sha256}`,
      });
      continue;
    }
    if (entry.name === "policy.yaml" && actual !== run.manifest.run.policy.sha256) {
      problems.push({ run: id, file: entry.name, message: `is not the evaluated policy: sha256 ${actual}, the run's policy sha256 is ${run.manifest.run.policy.sha256}` });
    }
  }
  for (const name of Object.keys(run.files).sort(compareText)) {
    if (!listed.has(name) && !RESERVED.has(name)) problems.push({ run: id, file: name, message: "not listed in the manifest" });
  }
  return problems;
}

function checkSignature(run: ReadRun, publicKey: EvidencePublicKey | undefined): Promise<VerifyProblem[]> {
  const m = run.manifest;
  return checkManifestSignature(
    { run: m.run.id, manifestName: MANIFEST_FILE, label: "the manifest", signatureName: SIGNATURE_FILE, bytes: run.bytes, declared: m.signature, signature: run.files[SIGNATURE_FILE] },
    publicKey,
  );
}

function checkDuplicates(runs: readonly ReadRun[]): VerifyProblem[] {
  const seen = new Map<string, string>();
  const problems: VerifyProblem[] = [];
  for (const run of runs) {
    const other = seen.get(run.manifest.run.id);
    if (other !== undefined) problems.push({ run: run.manifest.run.id, message: `present twice: under ${other} and under ${run.prefix}` });
    seen.set(run.manifest.run.id, run.prefix);
  }
  return problems;
}

function checkChain(runs: readonly ReadRun[], notes: string[]): VerifyProblem[] {
  const first = runs[0];
  if (!first) return [];
  const link = first.manifest.previous_manifest_sha256;
  notes.push(
    link === null
      ? `run ${first.manifest.run.id} is the first run of the chain`
      : `run ${first.manifest.run.id} links to manifest ${link}, of a run before these (not checked)`,
  );
  const problems: VerifyProblem[] = [];
  for (let i = 1; i < runs.length; i++) {
    const before = runs[i - 1] as ReadRun;
    const after = runs[i] as ReadRun;
    const previous = after.manifest.previous_manifest_sha256;
    if (previous === before.sha256) continue;
    const a = before.manifest.run.id;
    const b = after.manifest.run.id;
    const detail =
      previous === null
        ? `${b} claims to start a new chain`
        : `${b} links to manifest ${previous}, but the manifest of ${a} hashes to ${before.sha256}`;
    problems.push({ run: b, message: `chain broken between run ${a} and run ${b}: run(s) missing or altered (${detail})` });
  }
  return problems;
}
