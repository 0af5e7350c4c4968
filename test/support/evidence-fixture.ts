/**
 * Evidence for the tests of `keywarden verify`: a chain of weekly audit runs,
 * their evidence (signed or not), the period ZIP that holds them, written out
 * as a folder when a test needs one, and `keywarden verify` run with its
 * output captured.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { vi } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import {
  type EvidenceSigningKey,
  type RunEvidence,
  type RunEvidenceInput,
  type StoredRun,
  buildEvidenceZip,
  buildRunEvidence,
  importSigningKey,
} from "../../src/evidence/index.js";
import { toBase64 } from "../../src/util/base64.js";
import { sha256Hex } from "../../src/util/hash.js";

/** A policy with no rules: every run of the chain was evaluated against it unless a test says otherwise. */
export const EMPTY_POLICY = "version: 1\nname: default\nrules: []\n";

/** Monday 2 November 2026, 06:00 UTC: when the first run of a chain starts unless a test says otherwise. */
export const FIRST_RUN_START = new Date(Date.UTC(2026, 10, 2, 6));

/** The period of the ZIPs built here unless a test says otherwise. */
export const NOVEMBER_2026 = { from: "2026-11-01", to: "2026-11-30" };

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Run `i` of a weekly chain: started i weeks after `firstStart`, finished five
 * seconds later, complete, with no keys, no findings and no errors. A test that
 * needs other counts or another status spreads this and overrides them.
 */
export function weeklyAuditRun(i: number, options: { policyText?: string; firstStart?: Date } = {}): AuditRun {
  const started = new Date((options.firstStart ?? FIRST_RUN_START).getTime() + i * WEEK_MS);
  return {
    id: `run_${started.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}_00000${i}`,
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(options.policyText ?? EMPTY_POLICY) },
    started_at: started.toISOString(),
    finished_at: new Date(started.getTime() + 5000).toISOString(),
    status: "complete",
    counts: { admin_keys: 0, projects: 0, archived_projects: 0, project_keys: 0, users: 0, api_requests: 3, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 } },
    findings: [],
    exemptions: [],
    exemption_notices: [],
    errors: [],
  };
}

export interface EvidenceChainOptions {
  /** How many runs the chain holds. */
  runs: number;
  /** The audit run that run i records (default: `weeklyAuditRun(i, { policyText })`). */
  auditRun?: (i: number) => AuditRun;
  /** The policy text every run was evaluated against (default: EMPTY_POLICY). */
  policyText?: string;
  /** The inventory run i took (default: no keys, no projects). */
  inventory?: (i: number) => RunEvidenceInput["inventory"];
  /** Absent: the evidence is not signed. */
  signingKey?: EvidenceSigningKey;
  /** `links[i]` overrides run i's link to the previous manifest (undefined: the previous run's manifest, null for the first run). */
  links?: readonly (string | null | undefined)[];
}

/** The evidence of a chain of runs, each linked to the previous run's manifest unless `links` says otherwise. */
export async function buildEvidenceChain(options: EvidenceChainOptions): Promise<RunEvidence[]> {
  const policyText = options.policyText ?? EMPTY_POLICY;
  const auditRun = options.auditRun ?? ((i: number) => weeklyAuditRun(i, { policyText }));
  const chain: RunEvidence[] = [];
  for (let i = 0; i < options.runs; i++) {
    const link = options.links?.[i];
    const previous = link !== undefined ? link : (chain[i - 1]?.manifestSha256 ?? null);
    const inventory = options.inventory?.(i) ?? { keys: [], projects: [] };
    chain.push(await buildRunEvidence({ run: auditRun(i), inventory, policyText, previousManifestSha256: previous, version: "0.1.0", signingKey: options.signingKey }));
  }
  return chain;
}

/** A run's files by name, as the store holds them. */
export function filesByName(ev: RunEvidence): Record<string, Uint8Array> {
  return Object.fromEntries(ev.files.map((f) => [f.name, f.content]));
}

/** A run as stored: its prefix and its files by name. */
export function storedRun(ev: RunEvidence): StoredRun {
  return { prefix: ev.prefix, files: filesByName(ev) };
}

/** The period ZIP the Worker serves for these runs (its period manifest signed with `signingKey`, when given). */
export function periodZipOf(runs: readonly RunEvidence[], period: { from: string; to: string } = NOVEMBER_2026, options: { signingKey?: EvidenceSigningKey } = {}): Promise<Uint8Array> {
  return buildEvidenceZip(runs.map(storedRun), period, [], { signingKey: options.signingKey ?? null });
}

/** A chain of runs, the period ZIP of November 2026 that holds them, and that ZIP's entries (path → bytes). */
export async function buildPeriod(options: EvidenceChainOptions): Promise<{ evidence: RunEvidence[]; zip: Uint8Array; entries: Record<string, Uint8Array> }> {
  const evidence = await buildEvidenceChain(options);
  const zip = await periodZipOf(evidence, NOVEMBER_2026, { signingKey: options.signingKey });
  return { evidence, zip, entries: unzipSync(zip) };
}

/** Writes `content` at `root/path`, creating the folders on the way. */
export function writeFileWithFolders(root: string, path: string, content: string | Uint8Array): void {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
}

/** Writes every entry (path → bytes) under `root`, as an auditor's unzip does. */
export function extractEntries(root: string, entries: Record<string, Uint8Array>): void {
  for (const [path, content] of Object.entries(entries)) writeFileWithFolders(root, path, content);
}

/** A fresh Ed25519 private key, as EVIDENCE_SIGNING_KEY holds one: PKCS#8 in base64. */
export async function generateSigningKeyBase64(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return toBase64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer));
}

/** A fresh signing key, imported as the Worker imports EVIDENCE_SIGNING_KEY. */
export async function generateSigningKey(): Promise<EvidenceSigningKey> {
  const signing = await importSigningKey(await generateSigningKeyBase64());
  if (!signing.ok) throw new Error(signing.message);
  return signing.key;
}

export interface VerifyOutput {
  code: number;
  out: string;
  err: string;
}

/** `keywarden verify <argv>`: its exit code and what it wrote to stdout and stderr (which are not printed). */
export async function runVerify(...argv: string[]): Promise<VerifyOutput> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await verifyCommand(argv);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
