/**
 * The Workflow step bodies of src/worker/workflow.ts as plain functions, for
 * scripts/bench-steps.ts, and that script's child processes.
 *
 * The step bodies are closures inside `AuditWorkflow` (which imports
 * `cloudflare:workers`, so Node cannot load it): each function below replays
 * the same sequence of domain calls its step makes, with R2 and D1 replaced by
 * the strings they would hand over (R2 objects, D1 rows). What is replicated
 * rather than called is marked REPLICA; those are what a refactor would turn
 * into shared functions.
 *
 * Run as a script (`node --import tsx scripts/bench-steps-child.ts <mode> …`):
import tsx scripts/bench-steps-child.ts <mode> …`):
 *   sim <json options>                 a simulator of a generated organization, in its own process
 *                                      (so its CPU is not counted); talks to the parent over IPC
 *   memory <evaluate|evidence|slack> <dir>
 *                                      one step at 100,000 keys on the inputs in <dir>, printing
 *                                      memory checkpoints as JSON lines (meant for --max-old-space-size=128)
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GCProfiler } from "node:v8";
import { applyLifecycle, type OpenFindingState, resolvedSummary } from "../src/model/lifecycle.js";
import { type RunBase, checkPolicy, concludeRun, summarizeRun } from "../src/audit/run.js";
import type { AuditRun, RunFinding } from "../src/model/run.js";
import { readConfig } from "../src/config.js";
import { assembleInventory, collectInventorySlice } from "../src/providers/openai/collect.js";
import type { InventoryError } from "../src/model/inventory.js";
import { type InventoryPart, type WorkState, initialWorkState } from "../src/providers/openai/inventory-work.js";
import { buildRunEvidence, evidencePrefix, importSigningKey } from "../src/evidence/index.js";
import { redactedCopy } from "../src/slack/redaction.js";
import { renderSlackReport } from "../src/slack/render.js";
import { createSlackClient } from "../src/slack/send.js";
import { sha256Hex } from "../src/util/hash.js";
import { redact } from "../src/util/redact.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import { bundledPolicy } from "../src/policy/bundled.js";
import { generateOrg } from "../src/sim/generate.js";
import { minimumRequests } from "../test/sim/minimum-requests.js";
import { startSimulator } from "../src/sim/server.js";
import { recordStatements } from "../src/store/record-statements.js";

export const ADMIN_KEY = "sk-admin-fake-bench-steps-key-0000000000000";
export const POLICY_NAME = "default";
export const RUN_BASE: RunBase = { id: "run_20261123T060000Z_bench", trigger: "cron", started_at: "2026-11-23T06:00:00.000Z" };
export const NOW = new Date("2026-11-23T06:05:00.000Z");
export const PREVIOUS_MANIFEST = "0".repeat(64);
/** A throwaway Ed25519 key (the one docs/examples is signed with): it signs nothing real. */
export const SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIPuMD6F32B2a+WkeTGglxg/V0JxKIwnzu78pX+ZKzbpB";

/** The Worker's env with every secret set (redaction cost grows with their number), as a deployment would have. */
export function benchEnv(baseUrl: string, subrequestsPerStep = 45): Record<string, string> {
  return {
    OPENAI_ADMIN_KEY: ADMIN_KEY,
    OPENAI_BASE_URL: baseUrl,
    POLICY: POLICY_NAME,
    AUDIT_API_TOKEN: "bench-api-token-0123456789abcdef0123456789abcdef",
    SLACK_BOT_TOKEN: "xoxb-fake-0000000000-bench-token",
    SLACK_SIGNING_SECRET: "bench-signing-secret-0123456789abcdef",
    SLACK_CHANNEL: "C0BENCH0001",
    EVIDENCE_SIGNING_KEY: SIGNING_KEY,
    AUDIT_SUBREQUESTS_PER_STEP: String(subrequestsPerStep),
  };
}

/** Called between the phases of a step; the memory child samples there. */
export type Probe = (label: string) => void;
const noProbe: Probe = () => {};

// ---------------------------------------------------------------------------
// Step bodies

/** "check policy": the bundled policy, parsed and validated. */
export function checkPolicyStep(policyName = POLICY_NAME): { details: string[] } | null {
  const source = bundledPolicy(policyName);
  if (!source) return { details: [`no bundled policy named ${policyName}`] };
  const checked = checkPolicy(source);
  return checked.ok ? null : { details: checked.details };
}

/** What a run keeps in R2 under work/<run id>/: each slice's part and the queue after it, as the JSON text stored. */
export interface WorkFiles {
  parts: string[];
  states: string[];
}

/** REPLICA of workflow.ts isTransient (not exported). */
function isTransient(error: InventoryError): boolean {
  return error.kind === "network" || error.kind === "budget_exhausted" || (error.kind === "http" && (error.status === 429 || (error.status ?? 0) >= 500));
}

/**
 * "inventory <i>": REPLICA of the step body. R2 is the `work` arrays: the
 * previous state is JSON-parsed (what `object.json()` does) and this slice's
 * part and state are JSON-stringified (what `putSlice` does); the R2 I/O is not done.
 * `requestCap` overrides AUDIT_SUBREQUESTS_PER_STEP (whose configured minimum is 10).
 */
export async function inventorySliceStep(
  env: Record<string, string>,
  work: WorkFiles,
  sliceIndex: number,
  options: { fetch?: typeof fetch; requestCap?: number } = {},
): Promise<{ requests: number; remaining: number; fatal: boolean; transient: number }> {
  const config = readConfig(env);
  const state = sliceIndex === 0 ? initialWorkState() : (JSON.parse(work.states[sliceIndex - 1] ?? "null") as WorkState);
  const { part, state: next } = await collectInventorySlice(
    { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) },
    state,
    options.requestCap ?? config.subrequestsPerStep,
  );
  const transient = part.errors.filter(isTransient);
  work.parts[sliceIndex] = JSON.stringify(part);
  work.states[sliceIndex] = JSON.stringify(next);
  return { requests: part.requests, remaining: part.fatal ? 0 : next.units.length, fatal: part.fatal !== undefined, transient: transient.length };
}

/** A row of finding_state as D1 returns it to RunHistory.openFindings. */
export interface OpenFindingRow {
  fingerprint: string;
  last_seen_run: string;
  summary_json: string;
}

/** What RunHistory.record binds for a run, i.e. what D1 then holds and returns to `get`. */
export interface StoredRun {
  summaryJson: string;
  findingJsons: string[];
  /** finding_state rows as the next run's openFindings would read them. */
  openRows: OpenFindingRow[];
}

export interface RecordShape {
  statements: number;
  boundValues: number;
  findingJsonBytes: number;
  stateJsonBytes: number;
}

/**
 * "evaluate and record": the policy re-checked, the parts assembled, the run
 * concluded, the lifecycle applied against the open findings D1 returned
 * (`openRows`: JSON-parsed here as RunHistory.openFindings does — REPLICA),
 * and what RunHistory.record would bind built (REPLICA: SQL text and bound
 * values, JSON.stringify of every finding and finding state); D1 itself is not called.
 */
export function evaluateStep(
  env: Record<string, string>,
  loadParts: () => InventoryPart[],
  loadOpenRows: () => OpenFindingRow[],
  probe: Probe = noProbe,
): { status: string; summary: string; stored: StoredRun; record: RecordShape; findings: number } {
  const config = readConfig(env);
  const source = bundledPolicy(POLICY_NAME);
  const checked = source ? checkPolicy(source) : undefined;
  if (!checked?.ok) throw new Error(`policy ${POLICY_NAME} is no longer valid`);
  const parts = loadParts();
  probe("parts read (R2 JSON parsed)");
  const inventory = assembleInventory(parts);
  probe("inventory assembled");
  const concluded = concludeRun({ base: RUN_BASE, policy: checked, inventory, evaluatedAt: NOW, finishedAt: NOW, secrets: config.secrets });
  probe("evaluated (concludeRun)");
  const rows = loadOpenRows();
  const open = new Map<string, OpenFindingState>(rows.map((r) => [r.fingerprint, { fingerprint: r.fingerprint, last_seen_run: r.last_seen_run, summary: JSON.parse(r.summary_json) }]));
  probe("open findings read (D1 rows parsed)");
  const run = applyLifecycle(concluded, open);
  probe("lifecycle applied");
  const { stored, record } = recordReplica(run, POLICY_NAME);
  probe("record statements built");
  return { status: run.status, summary: summarizeRun(run), stored, record, findings: run.findings.length };
}

/** What RunHistory.record binds (recordStatements, the real builder), plus the rows the next steps read back. */
function recordReplica(run: AuditRun, policyName: string): { stored: StoredRun; record: RecordShape } {
  const { findings, ...summary } = run;
  const statements = recordStatements(run, policyName);
  const findingJsons = findings.map((f) => JSON.stringify(f));
  const openRows: OpenFindingRow[] = findings.map((f) => ({ fingerprint: f.fingerprint, last_seen_run: run.id, summary_json: JSON.stringify(resolvedSummary(f)) }));
  const summaryJson = JSON.stringify(summary);
  let findingJsonBytes = 0;
  for (const json of findingJsons) findingJsonBytes += json.length;
  let stateJsonBytes = 0;
  for (const row of openRows) stateJsonBytes += row.summary_json.length;
  return {
    stored: { summaryJson, findingJsons, openRows },
    record: { statements: statements.length, boundValues: statements.reduce((n, s) => n + s.params.length, 0), findingJsonBytes, stateJsonBytes },
  };
}

/** REPLICA of RunHistory.get on a recorded run: the summary row and every finding row JSON-parsed. */
function storedRun(summaryJson: string, loadFindingJsons: () => string[]): AuditRun {
  const summary = JSON.parse(summaryJson) as AuditRun;
  return { ...summary, findings: loadFindingJsons().map((json) => JSON.parse(json) as RunFinding) };
}

/**
 * "store evidence": the run read back (REPLICA of RunHistory.get), the signing
 * key imported, the parts assembled, the policy hash checked, buildRunEvidence
 * (files, hashes, manifest, Ed25519 signature) and the SHA-256 that
 * EvidenceStore.write computes for every R2 put (REPLICA); no R2 or D1 I/O.
 */
export async function evidenceStep(
  env: Record<string, string>,
  summaryJson: string,
  loadFindingJsons: () => string[],
  loadParts: () => InventoryPart[],
  probe: Probe = noProbe,
): Promise<{ files: { name: string; size: number }[]; manifestSha256: string; prefix: string }> {
  const config = readConfig(env);
  const run = storedRun(summaryJson, loadFindingJsons);
  probe("run read (D1 rows parsed)");
  const prefix = evidencePrefix(run);
  const signing = config.evidenceSigningKey ? await importSigningKey(config.evidenceSigningKey) : null;
  if (signing && !signing.ok) throw new Error(`EVIDENCE_SIGNING_KEY is not usable: ${signing.message}`);
  const parts = loadParts();
  const inventory = parts.length > 0 ? assembleInventory(parts) : null;
  probe("parts read and assembled");
  const policyText = bundledPolicy(POLICY_NAME)?.text ?? "";
  if (run.policy.sha256 && sha256Hex(policyText) !== run.policy.sha256) throw new Error("policy changed since the run was evaluated");
  const evidence = await buildRunEvidence({
    run,
    inventory: inventory && !inventory.fatal ? { keys: inventory.keys, projects: inventory.projects } : null,
    policyText,
    secrets: config.secrets,
    previousManifestSha256: PREVIOUS_MANIFEST,
    version: KEYWARDEN_VERSION,
    signingKey: signing?.ok ? signing.key : null,
  });
  probe("evidence built (files, manifest, signature)");
  // EvidenceStore.write hashes every file again for R2's checksum.
  for (const file of evidence.files) sha256Hex(file.content);
  probe("R2 checksums computed");
  return { files: evidence.files.map((f) => ({ name: f.name, size: f.content.length })), manifestSha256: evidence.manifestSha256, prefix };
}

/**
 * "report to slack": the run read back (REPLICA of RunHistory.get), the client
 * created, renderSlackReport, and what deliverReport does to each message
 * before posting it (redactedCopy, then JSON.stringify standing in for
 * the SDK's request body) and to the CSV (redact). No HTTP; the 1 s pauses
 * between messages are wall time, not CPU.
 */
export function slackStep(
  env: Record<string, string>,
  summaryJson: string,
  loadFindingJsons: () => string[],
  probe: Probe = noProbe,
): { messages: number; threadMessages: number; findings: number; externalRequests: number; bodyBytes: number; csvBytes: number } {
  const config = readConfig(env);
  if (!config.slack) throw new Error("Slack is not configured");
  const run = storedRun(summaryJson, loadFindingJsons);
  probe("run read (D1 rows parsed)");
  const rendered = renderSlackReport(run, { channel: config.slack.channel });
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  probe("report rendered");
  const secrets = [...config.secrets, client.token];
  let bodyBytes = 0;
  for (const message of [rendered.main, ...rendered.thread]) bodyBytes += JSON.stringify(redactedCopy(message, secrets)).length;
  const csv = rendered.findings_total > 0 ? redact(rendered.csv.content, secrets) : "";
  probe("messages and CSV redacted and serialized");
  // chat.postMessage for the main message and each reply; filesUploadV2 = getUploadURLExternal, the upload, completeUploadExternal.
  const externalRequests = 1 + rendered.thread.length + (rendered.findings_total > 0 ? 3 : 0);
  return { messages: 1 + rendered.thread.length, threadMessages: rendered.thread.length, findings: rendered.findings_total, externalRequests, bodyBytes, csvBytes: csv.length };
}

// ---------------------------------------------------------------------------
// Files shared with the memory children (what R2 and D1 would hand the step)

export const MEMORY_FILES = {
  part: (dir: string, i: number) => join(dir, `part-${i}.json`),
  meta: (dir: string) => join(dir, "meta.json"),
  openRows: (dir: string) => join(dir, "open-rows.json"),
  summary: (dir: string) => join(dir, "summary.json"),
  findings: (dir: string) => join(dir, "findings.ndjson"),
};

export interface MemoryMeta {
  slices: number;
}

/** One string per line, written a line at a time (no big concatenation). */
export function writeLines(path: string, lines: readonly string[]): void {
  const fd = openSync(path, "w");
  try {
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= 1000) {
        writeSync(fd, `${batch.join("\n")}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, `${batch.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
}

function readLines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n").filter((line) => line.length > 0);
}

// ---------------------------------------------------------------------------
// Child entry points

export interface SimChildOptions {
  projects: number;
  keysPerProject: number;
  users: number;
  adminKeys: number;
}

export interface SimChildReady {
  url: string;
  keys: number;
  projects: number;
  users: number;
  minimumRequests: number;
}

async function simChild(options: SimChildOptions): Promise<void> {
  const org = generateOrg({ ...options, now: NOW, seed: 7 });
  const sim = await startSimulator({ org, adminKey: ADMIN_KEY });
  const keys = org.adminKeys.length + Object.values(org.projectKeys).reduce((n, list) => n + list.length, 0);
  const ready: SimChildReady = { url: sim.url, keys, projects: org.projects.length, users: org.users.length, minimumRequests: minimumRequests(org) };
  process.send?.({ ready });
  process.on("message", (message: { cmd?: string }) => {
    if (message.cmd === "requests") {
      process.send?.({ requests: sim.requests.length });
      sim.clearLog();
    } else if (message.cmd === "close") {
      void sim.close().then(() => process.exit(0));
    }
  });
  process.on("disconnect", () => process.exit(0));
}

export interface MemorySample {
  label: string;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryReport {
  step: string;
  baseline: MemorySample;
  samples: MemorySample[];
  /** Highest heapUsed + external: at a checkpoint or just before a GC (garbage included). */
  peak: { total: number; heapUsed: number; external: number; where: string };
  /** Highest heapUsed + external right after a full (mark-sweep) GC: live data only; null without one. */
  live: { total: number; heapUsed: number; external: number } | null;
  gcs: number;
  maxRssBytes: number;
  cpuMs: number;
  detail: Record<string, unknown>;
}

function emit(line: unknown): void {
  // Synchronous: a child that hits the heap limit aborts, and must leave its last checkpoint behind.
  writeSync(1, `${JSON.stringify(line)}\n`);
}

async function memoryChild(step: string, dir: string): Promise<void> {
  const meta = JSON.parse(readFileSync(MEMORY_FILES.meta(dir), "utf8")) as MemoryMeta;
  const env = benchEnv("http://127.0.0.1:9/v1");
  // Parts are read and parsed one by one, as RunHistory/WorkStore do with each R2 object's text.
  const loadParts = () => Array.from({ length: meta.slices }, (_, i) => JSON.parse(readFileSync(MEMORY_FILES.part(dir, i), "utf8")) as InventoryPart);
  const loadFindingJsons = () => readLines(MEMORY_FILES.findings(dir));
  const samples: MemorySample[] = [];
  const sample = (label: string): MemorySample => {
    const m = process.memoryUsage();
    const s = { label, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
    samples.push(s);
    emit({ sample: s });
    return s;
  };
  // Warm the modules (policy, schemas) the way a live isolate has them, then measure from here.
  checkPolicyStep();
  const baseline = sample("baseline (modules loaded)");
  const profiler = new GCProfiler();
  profiler.start();
  const cpu0 = process.cpuUsage();
  let detail: Record<string, unknown> = {};
  if (step === "evaluate") {
    const out = evaluateStep(env, loadParts, () => JSON.parse(readFileSync(MEMORY_FILES.openRows(dir), "utf8")) as OpenFindingRow[], sample);
    detail = { status: out.status, findings: out.findings, record: out.record };
    const cpu = process.cpuUsage(cpu0);
    finish(cpu);
    // The next steps read what D1 would now hold.
    writeLines(MEMORY_FILES.findings(dir), out.stored.findingJsons);
    const summary = JSON.parse(out.stored.summaryJson) as AuditRun;
    summary.evidence = { stored: true, prefix: evidencePrefix(RUN_BASE), manifest_sha256: PREVIOUS_MANIFEST };
    writeLines(MEMORY_FILES.summary(dir), [JSON.stringify(summary)]);
    return;
  }
  const summaryJson = readFileSync(MEMORY_FILES.summary(dir), "utf8");
  if (step === "evidence") {
    const out = await evidenceStep(env, summaryJson, loadFindingJsons, loadParts, sample);
    detail = { files: out.files };
  } else if (step === "slack") {
    const out = slackStep(env, summaryJson, loadFindingJsons, sample);
    detail = { ...out };
  } else {
    throw new Error(`unknown step ${step}`);
  }
  finish(process.cpuUsage(cpu0));

  function finish(cpu: NodeJS.CpuUsage): void {
    const gc = profiler.stop();
    const candidates = samples.map((s) => ({ total: s.heapUsed + s.external, heapUsed: s.heapUsed, external: s.external, where: s.label }));
    for (const event of gc.statistics) {
      const h = event.beforeGC.heapStatistics;
      candidates.push({ total: h.usedHeapSize + h.externalMemory, heapUsed: h.usedHeapSize, external: h.externalMemory, where: `before a ${event.gcType} GC` });
    }
    const peak = candidates.reduce((a, b) => (b.total > a.total ? b : a));
    let live: MemoryReport["live"] = null;
    for (const event of gc.statistics) {
      if (event.gcType !== "MarkSweepCompact") continue;
      const h = event.afterGC.heapStatistics;
      const total = h.usedHeapSize + h.externalMemory;
      if (!live || total > live.total) live = { total, heapUsed: h.usedHeapSize, external: h.externalMemory };
    }
    const report: MemoryReport = {
      step,
      baseline,
      samples,
      peak,
      live,
      gcs: gc.statistics.length,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuMs: (cpu.user + cpu.system) / 1000,
      detail,
    };
    emit({ report });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, arg1, arg2] = process.argv.slice(2);
  if (mode === "sim") await simChild(JSON.parse(arg1 ?? "{}") as SimChildOptions);
  else if (mode === "memory") await memoryChild(arg1 ?? "", arg2 ?? "");
  else throw new Error(`usage: bench-steps-child.ts sim <json> | memory <evaluate|evidence|slack> <dir>`);
}
