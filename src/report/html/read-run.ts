/**
 * One stored run, read for the report: its manifest (what the run was, its counts, its SHA-256,
 * which is the chain link) and the documents the report shows. An absent file is "no data"; a file
 * that cannot be read is named in `problems` and shown as such, never guessed at.
 */
import type { z } from "zod";
import { sha256Hex } from "../../util/hash.js";
import { redact } from "../../util/redact.js";
import { MANIFEST_FILE, SIGNATURE_FILE, compareRuns, runIdOfPrefix } from "../../evidence/layout.js";
import { type Manifest, parseManifest } from "../../evidence/manifest.js";
import {
  type AcceptanceDecisionEntry,
  type ControlEntry,
  type ExemptionEntry,
  type FindingEntry,
  type RemediationEntry,
  controlsFileSchema,
  exemptionsFileSchema,
  findingsFileSchema,
  acceptancesFileSchema,
  remediationsFileSchema,
} from "./schemas.js";

/** A run as stored: its prefix and its files by name (like StoredRun of ../evidence/archive.ts). */
export interface StoredRunFiles {
  prefix: string;
  files: Record<string, Uint8Array>;
}

/** The files the report reads; the others (CSV, inventory, policy) it never opens. */
export const REPORT_INPUT_FILES = [MANIFEST_FILE, SIGNATURE_FILE, "exemptions.json", "controls.json", "remediations.json", "acceptances.json", "findings.json"] as const;

export interface ReportRun {
  /** From the manifest, else from the prefix. */
  id: string;
  /** null when manifest.json is missing or unreadable (then `problems` says why). */
  manifest: Manifest | null;
  manifestSha256: string | null;
  signed: boolean;
  /** null: the run has no such file (older runs, failed runs) or it could not be read. */
  exemptions: ExemptionEntry[] | null;
  controls: ControlEntry[] | null;
  remediations: RemediationEntry[] | null;
  acceptances: AcceptanceDecisionEntry[] | null;
  /** Read only for the run whose open findings the report lists (see lastEvaluatedRun). */
  findings: FindingEntry[] | null;
  problems: string[];
}

/** Reads every run, in chain order (by start time, then id); runs without a readable manifest last. */
export function readRuns(runs: readonly StoredRunFiles[], secrets: readonly string[] = []): ReportRun[] {
  const read = runs.map((run) => readRun(run, secrets));
  const last = lastEvaluatedRun(read);
  if (last) {
    const stored = runs[read.indexOf(last)] as StoredRunFiles;
    last.findings = readDocument(stored.files["findings.json"], "findings.json", findingsFileSchema, last.problems, secrets)?.findings ?? null;
  }
  return read.sort((a, b) => (a.manifest && b.manifest ? compareRuns(a.manifest.run, b.manifest.run) : Number(a.manifest === null) - Number(b.manifest === null)));
}

/** The latest run that evaluated the policy (not failed): its findings are what was open at the end of the period. */
export function lastEvaluatedRun<T extends { manifest: Manifest | null }>(runs: readonly T[]): T | undefined {
  return runs
    .filter((run) => run.manifest !== null && run.manifest.run.status !== "failed")
    .reduce<T | undefined>((latest, run) => (latest === undefined || compareRuns((run.manifest as Manifest).run, (latest.manifest as Manifest).run) > 0 ? run : latest), undefined);
}

function readRun(stored: StoredRunFiles, secrets: readonly string[]): ReportRun {
  const problems: string[] = [];
  const bytes = stored.files[MANIFEST_FILE];
  const parsed = bytes ? parseManifest(bytes) : null;
  if (!parsed) problems.push("manifest.json is missing");
  else if (!parsed.ok) problems.push(parsed.message);
  const manifest = parsed?.ok ? parsed.manifest : null;
  return {
    id: redact(manifest?.run.id ?? runIdOfPrefix(stored.prefix) ?? stored.prefix, secrets),
    manifest,
    manifestSha256: bytes ? sha256Hex(bytes) : null,
    signed: stored.files[SIGNATURE_FILE] !== undefined,
    exemptions: readDocument(stored.files["exemptions.json"], "exemptions.json", exemptionsFileSchema, problems, secrets)?.exemptions ?? null,
    controls: readDocument(stored.files["controls.json"], "controls.json", controlsFileSchema, problems, secrets)?.controls ?? null,
    remediations: readDocument(stored.files["remediations.json"], "remediations.json", remediationsFileSchema, problems, secrets)?.remediations ?? null,
    acceptances: readDocument(stored.files["acceptances.json"], "acceptances.json", acceptancesFileSchema, problems, secrets)?.events ?? null,
    findings: null,
    problems,
  };
}

/** The parsed document, with every string cleared of the configured secrets; null when absent or unreadable. */
function readDocument<S extends z.ZodType>(bytes: Uint8Array | undefined, name: string, schema: S, problems: string[], secrets: readonly string[]): z.infer<S> | null {
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes), (_key, v: unknown) => (typeof v === "string" ? redact(v, secrets) : v));
  } catch {
    problems.push(`${name} is not valid UTF-8 JSON`);
    return null;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  problems.push(`${name} is not in the expected format (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"})`);
  return null;
}
