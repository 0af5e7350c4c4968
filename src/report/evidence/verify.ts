/**
 * Offline verification of stored evidence: every file against its manifest,
 * the manifests against each other (the hash chain), and the signatures
 * against a public key obtained outside the evidence. Pure: bytes in, report out.
 */
import { z } from "zod";
import { sha256Hex } from "../../util/hash.js";
import { EVIDENCE_FILE_NAMES, MANIFEST_FILE, SIGNATURE_FILE, compareRuns, compareText, runIdOfPrefix } from "./layout.js";
import { type Manifest, parseManifest } from "./manifest.js";
import { type EvidencePublicKey, verifyManifestSignature } from "./signing.js";

export interface VerifyProblem {
  run?: string;
  file?: string;
  message: string;
}

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
  /** Directories with files but no manifest.json (see groupEvidencePaths). */
  orphans?: readonly { dir: string; files: readonly string[] }[];
  /** Manifest SHA-256s kept outside the evidence store: each must be the manifest of a run present. */
  anchors?: readonly string[];
}

interface ReadRun {
  prefix: string;
  files: Record<string, Uint8Array>;
  manifest: Manifest;
  bytes: Uint8Array;
  sha256: string;
}

const RESERVED = new Set([MANIFEST_FILE, SIGNATURE_FILE]);

export async function verifyEvidence(runs: ReadonlyMap<string, Record<string, Uint8Array>>, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
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
  if (opts.index) problems.push(...checkIndex(opts.index, readable));
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
    const actual = sha256Hex(content);
    if (actual !== entry.sha256 || content.length !== entry.size) {
      problems.push({
        run: id,
        file: entry.name,
        message: `altered: ${content.length} bytes, sha256 ${actual}; the manifest says ${entry.size} bytes, sha256 ${entry.sha256}`,
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

async function checkSignature(run: ReadRun, publicKey: EvidencePublicKey | undefined): Promise<VerifyProblem[]> {
  const id = run.manifest.run.id;
  const declared = run.manifest.signature;
  const sig = run.files[SIGNATURE_FILE];
  if (!sig) {
    if (declared) return [{ run: id, file: SIGNATURE_FILE, message: "missing, although the manifest says it is signed" }];
    return publicKey ? [{ run: id, file: SIGNATURE_FILE, message: "missing: the manifest is not signed, and a public key was given" }] : [];
  }
  if (!publicKey) return [];
  const text = new TextDecoder().decode(sig);
  if (await verifyManifestSignature(run.bytes, text, publicKey)) return [];
  if (declared && declared.public_key_sha256 !== publicKey.sha256) {
    return [{ run: id, file: SIGNATURE_FILE, message: `signed with another key (public key sha256 ${declared.public_key_sha256}), not the given one (${publicKey.sha256})` }];
  }
  return [{ run: id, file: SIGNATURE_FILE, message: "wrong signature: manifest.json or manifest.sig was altered, or the manifest was signed by another key" }];
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

const indexSchema = z.object({
  runs: z.array(z.object({ id: z.string(), manifest_sha256: z.string().nullable() })),
  runs_without_evidence: z.array(z.object({ id: z.string(), status: z.string(), reason: z.string() })).optional(),
});

function checkIndex(bytes: Uint8Array, runs: readonly ReadRun[]): VerifyProblem[] {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return [{ file: "index.json", message: "not valid JSON" }];
  }
  const parsed = indexSchema.safeParse(value);
  if (!parsed.success) return [{ file: "index.json", message: "not a Keywarden evidence index" }];
  const problems: VerifyProblem[] = [];
  const present = new Map(runs.map((r) => [r.manifest.run.id, r]));
  const listed = new Set<string>();
  for (const entry of parsed.data.runs) {
    listed.add(entry.id);
    const run = present.get(entry.id);
    if (!run) problems.push({ run: entry.id, file: "index.json", message: "listed in the index, but its evidence is missing" });
    else if (entry.manifest_sha256 !== run.sha256) {
      problems.push({ run: entry.id, file: "index.json", message: `the index lists manifest ${entry.manifest_sha256}, but manifest.json hashes to ${run.sha256}` });
    }
  }
  for (const run of runs) {
    if (!listed.has(run.manifest.run.id)) problems.push({ run: run.manifest.run.id, file: "index.json", message: "present, but not listed in the index" });
  }
  // A run of the period that left no evidence is a gap in the record, whatever the files say.
  for (const gap of parsed.data.runs_without_evidence ?? []) {
    problems.push({ run: gap.id, file: "index.json", message: `run ${gap.id} (${gap.status}) has no stored evidence: ${gap.reason}` });
  }
  return problems;
}
