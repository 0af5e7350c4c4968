/**
 * `npx tsx scripts/bench-steps.ts`: the CPU each kind of Workflow step costs
 * for generated organizations of about 200, 2,000, 20,000 and 100,000 keys,
 * the peak memory of the heavy steps at 100,000 keys under a 128 MB heap, and
 * which Workers plan each size needs. It prints figures; it asserts nothing.
 *
 * How it measures:
 * - CPU is process.cpuUsage() (user + system) around the step body, after a
 *   warm-up pass; the median of a few repetitions (one at 100,000 keys).
 * - The step bodies are inline closures in src/worker/workflow.ts, so
 *   scripts/bench-steps-child.ts replays the same domain calls; R2 and D1 are
 *   replaced by the JSON text they would return or receive (parsing and
 *   serializing it is counted, the I/O is not).
 * - The Admin API simulator runs in a child process, so its CPU is not counted.
 *   Slices are timed two ways: over loopback HTTP with Node's fetch (undici, a
 *   JavaScript HTTP client: an upper bound for workerd, whose fetch is native),
 *   and replaying the same response bodies from memory (no HTTP stack: a lower bound).
 * - Memory at 100,000 keys: each step in a fresh `node --max-old-space-size=128`
 *   child; the peak of heap used + external (ArrayBuffers are part of external)
 *   at checkpoints between phases and just before every GC (v8.GCProfiler).
 */
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AuditRun } from "../src/model/run.js";
import { importSigningKey, signManifest } from "../src/evidence/index.js";
import {
  MEMORY_FILES,
  type MemoryMeta,
  type MemoryReport,
  type MemorySample,
  type OpenFindingRow,
  SIGNING_KEY,
  type SimChildOptions,
  type SimChildReady,
  type WorkFiles,
  benchEnv,
  checkPolicyStep,
  evaluateStep,
  evidenceStep,
  inventorySliceStep,
  slackStep,
} from "./bench-steps-child.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHILD = join(ROOT, "scripts/bench-steps-child.ts");

const FREE_CPU_MS = 10;
const PAID_CPU_MS = 30_000;
const FREE_SUBREQUESTS = 50;
const PAID_SUBREQUESTS = 1_000; // conservative: the current Workers limits page says 10,000 on Paid
const FREE_STEPS = 1_024;
const PAID_STEPS = 10_000;
const ISOLATE_MB = 128;
const SLICE_CAP = 45;
/** Steps besides the inventory: check policy, evaluate and record, store evidence, release and clean up, report to slack, answer slash command. */
const OTHER_STEPS = 6;

interface Size extends SimChildOptions {
  label: string;
  /** Repetitions of each step (after a warm-up pass); the inventory passes may have their own. */
  reps: number;
  inventoryReps?: number;
}

const SIZES: Size[] = [
  { label: "~200", projects: 20, keysPerProject: 10, users: 60, adminKeys: 4, reps: 15 },
  { label: "~2,000", projects: 100, keysPerProject: 20, users: 400, adminKeys: 10, reps: 7 },
  { label: "~20,000", projects: 500, keysPerProject: 40, users: 2_000, adminKeys: 20, reps: 3 },
];
const BIG: Size = { label: "~100,000", projects: 1_000, keysPerProject: 100, users: 5_000, adminKeys: 20, reps: 1, inventoryReps: 3 };
/** Request caps of the Free-plan sweep (4 = one request per slice with 4 attempts per page). */
const SWEEP_CAPS = [4, 10, 20, 45];
const SWEEP_REQUESTS = 180;

// ---------------------------------------------------------------------------
// Helpers

interface Cpu<T> {
  ms: number;
  value: T;
}

/** Every measurement summed: process CPU (all threads) against the main thread's alone. */
const cpuTotals = { process: 0, mainThread: 0 };

async function cpu<T>(fn: () => T | Promise<T>): Promise<Cpu<T>> {
  const thread = process.threadCpuUsage();
  const start = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(start);
  const threadUsed = process.threadCpuUsage(thread);
  const ms = (used.user + used.system) / 1000;
  cpuTotals.process += ms;
  cpuTotals.mainThread += (threadUsed.user + threadUsed.system) / 1000;
  return { ms, value };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function medianCpu<T>(reps: number, fn: () => T | Promise<T>, warmUp = true): Promise<Cpu<T>> {
  if (warmUp) await fn();
  const runs: Cpu<T>[] = [];
  for (let i = 0; i < reps; i++) runs.push(await cpu(fn));
  const ms = median(runs.map((r) => r.ms));
  return { ms, value: (runs[runs.length - 1] as Cpu<T>).value };
}

function fmtMs(ms: number): string {
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString("en");
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en");
const fmtMb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function table(rows: string[][], header = true): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd());
  if (header) lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}

/** Least squares y = a + b·x. */
function linearFit(points: readonly [number, number][]): { a: number; b: number } {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const b = sxx === 0 ? 0 : sxy / sxx;
  return { a: my - b * mx, b };
}

// ---------------------------------------------------------------------------
// The simulator, in a child process

interface SimHandle extends SimChildReady {
  requestsSinceLast(): Promise<number>;
  close(): Promise<void>;
}

function startSim(options: SimChildOptions): Promise<SimHandle> {
  const child: ChildProcess = fork(CHILD, ["sim", JSON.stringify(options)], { cwd: ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the simulator child exited early (${code})`));
    child.once("error", reject);
    child.once("exit", early);
    child.on("message", (message: { ready?: SimChildReady }) => {
      if (!message.ready) return;
      child.off("exit", early);
      resolve({
        ...message.ready,
        requestsSinceLast: () =>
          new Promise((done) => {
            const onMessage = (m: { requests?: number }) => {
              if (m.requests === undefined) return;
              child.off("message", onMessage);
              done(m.requests);
            };
            child.on("message", onMessage);
            child.send({ cmd: "requests" });
          }),
        close: () =>
          new Promise((done) => {
            child.once("exit", () => done());
            child.send({ cmd: "close" });
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Inventory passes

function urlOf(input: RequestInfo | URL): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

/** Node's fetch, keeping every response body (for the replay and nothing else). */
function capturingFetch(into: Map<string, string>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    const body = await response.text();
    into.set(urlOf(input), body);
    return new Response(body, { status: response.status, headers: response.headers });
  }) as typeof fetch;
}

/** The same bodies again, from memory: no socket, no HTTP parsing. */
function replayFetch(bodies: ReadonlyMap<string, string>): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    const body = bodies.get(urlOf(input));
    if (body === undefined) throw new Error(`no recorded response for ${urlOf(input)}`);
    return new Response(body, { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

interface SliceCost {
  ms: number;
  requests: number;
}

interface InventoryPass {
  slices: SliceCost[];
  work: WorkFiles;
  totalMs: number;
  requests: number;
}

async function inventoryPass(env: Record<string, string>, options: { fetch?: typeof fetch; requestCap?: number; stopAfterRequests?: number } = {}): Promise<InventoryPass> {
  const work: WorkFiles = { parts: [], states: [] };
  const slices: SliceCost[] = [];
  let requests = 0;
  for (let index = 0, remaining = 1; remaining > 0; index++) {
    const sliceOptions = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.requestCap ? { requestCap: options.requestCap } : {}) };
    const step = await cpu(() => inventorySliceStep(env, work, index, sliceOptions));
    if (step.value.fatal || step.value.transient > 0) throw new Error(`slice ${index} failed against the simulator`);
    slices.push({ ms: step.ms, requests: step.value.requests });
    requests += step.value.requests;
    remaining = step.value.remaining;
    if (options.stopAfterRequests !== undefined && requests >= options.stopAfterRequests) break;
  }
  return { slices, work, totalMs: slices.reduce((n, s) => n + s.ms, 0), requests };
}

/** Per slice index, the median over the passes (a one-off GC pause does not make the max); then the median and the max over slices. */
function medianPass(passes: readonly InventoryPass[]): { sliceMedian: number; sliceMax: number; total: number } {
  const count = Math.min(...passes.map((p) => p.slices.length));
  const perSlice = Array.from({ length: count }, (_, i) => median(passes.map((p) => p.slices[i]?.ms ?? 0)));
  return { sliceMedian: median(perSlice), sliceMax: Math.max(...perSlice), total: median(passes.map((p) => p.totalMs)) };
}

// ---------------------------------------------------------------------------
// One organization size

interface SizeResult {
  size: Size;
  keys: number;
  requests: number;
  minimumRequests: number;
  slices: number;
  requestsPerSlice: number[];
  checkPolicy: number;
  http: { sliceMedian: number; sliceMax: number; total: number };
  replay: { sliceMedian: number; sliceMax: number; total: number };
  evaluate: number;
  evidence: number;
  /** Of the evidence step: importing the signing key and signing (size-independent). */
  signing: number;
  slack: number;
  findings: number;
  recordStatements: number;
  slackRequests: number;
  slackThreadMessages: number;
  evidenceBytes: number;
  findingJsonBytes: number;
  work: WorkFiles;
  openRows: OpenFindingRow[];
}

async function measureSize(size: Size, sweep?: (env: Record<string, string>, bodies: Map<string, string>) => Promise<void>): Promise<SizeResult> {
  const sim = await startSim(size);
  try {
    const env = benchEnv(sim.url, SLICE_CAP);
    const bodies = new Map<string, string>();
    const warm = await inventoryPass(env, { fetch: capturingFetch(bodies) });
    const served = await sim.requestsSinceLast();
    if (served !== warm.requests) throw new Error(`the slices counted ${warm.requests} requests, the simulator served ${served}`);
    const http: InventoryPass[] = [];
    const replay: InventoryPass[] = [];
    const inventoryReps = size.inventoryReps ?? size.reps;
    for (let i = 0; i < inventoryReps; i++) http.push(await inventoryPass(env));
    for (let i = 0; i < inventoryReps; i++) replay.push(await inventoryPass(env, { fetch: replayFetch(bodies) }));
    if (sweep) await sweep(env, bodies);
    const work = warm.work;

    // The JIT is warm from the smaller sizes: the single run at 100,000 keys needs no warm-up pass.
    const warmUp = size.reps > 1;
    const checkPolicy = await medianCpu(Math.max(size.reps, 9), () => checkPolicyStep());
    const signing = await medianCpu(Math.max(size.reps, 9), async () => {
      const key = await importSigningKey(SIGNING_KEY);
      if (!key.ok) throw new Error(key.message);
      return signManifest(new TextEncoder().encode("{}\n"), key.key);
    });
    const loadParts = () => work.parts.map((text) => JSON.parse(text));
    // Steady state: the previous run of the same policy left every finding open.
    const previous = evaluateStep(env, loadParts, () => []);
    const openRowsJson = JSON.stringify(previous.stored.openRows);
    const evaluate = await medianCpu(size.reps, () => evaluateStep(env, loadParts, () => JSON.parse(openRowsJson) as OpenFindingRow[]), warmUp);
    const stored = evaluate.value.stored;
    const findingRowsJson = JSON.stringify(stored.findingJsons);
    const loadFindingJsons = () => JSON.parse(findingRowsJson) as string[];
    const evidence = await medianCpu(size.reps, () => evidenceStep(env, stored.summaryJson, loadFindingJsons, loadParts), warmUp);
    const withEvidence = JSON.parse(stored.summaryJson) as AuditRun;
    withEvidence.evidence = { stored: true, prefix: evidence.value.prefix, manifest_sha256: evidence.value.manifestSha256 };
    const slackSummary = JSON.stringify(withEvidence);
    const slack = await medianCpu(size.reps, () => slackStep(env, slackSummary, loadFindingJsons), warmUp);

    return {
      size,
      keys: sim.keys,
      requests: warm.requests,
      minimumRequests: sim.minimumRequests,
      slices: warm.slices.length,
      requestsPerSlice: warm.slices.map((s) => s.requests),
      checkPolicy: checkPolicy.ms,
      http: medianPass(http),
      replay: medianPass(replay),
      evaluate: evaluate.ms,
      evidence: evidence.ms,
      signing: signing.ms,
      slack: slack.ms,
      findings: evaluate.value.findings,
      recordStatements: evaluate.value.record.statements,
      slackRequests: slack.value.externalRequests,
      slackThreadMessages: slack.value.threadMessages,
      evidenceBytes: evidence.value.files.reduce((n, f) => n + f.size, 0),
      findingJsonBytes: evaluate.value.record.findingJsonBytes,
      work,
      openRows: previous.stored.openRows,
    };
  } finally {
    await sim.close();
  }
}

// ---------------------------------------------------------------------------
// Free plan: how small must a slice be?

interface SweepRow {
  cap: number;
  requestsPerSlice: number;
  httpMs: number;
  replayMs: number;
  httpPoints: [number, number][];
  replayPoints: [number, number][];
}

const sweepRows: SweepRow[] = [];

async function sliceSweep(env: Record<string, string>, bodies: Map<string, string>): Promise<void> {
  for (const cap of SWEEP_CAPS) {
    const http = await inventoryPass(env, { requestCap: cap, stopAfterRequests: SWEEP_REQUESTS });
    const replay = await inventoryPass(env, { requestCap: cap, stopAfterRequests: SWEEP_REQUESTS, fetch: replayFetch(bodies) });
    sweepRows.push({
      cap,
      requestsPerSlice: median(http.slices.map((s) => s.requests)),
      httpMs: median(http.slices.map((s) => s.ms)),
      replayMs: median(replay.slices.map((s) => s.ms)),
      httpPoints: http.slices.map((s) => [s.requests, s.ms]),
      replayPoints: replay.slices.map((s) => [s.requests, s.ms]),
    });
  }
}

// ---------------------------------------------------------------------------
// Memory at 100,000 keys

interface MemoryOutcome {
  step: string;
  heapMb: number;
  ok: boolean;
  report?: MemoryReport;
  last?: MemorySample;
  error?: string;
}

function memoryChild(step: string, dir: string, heapMb: number): MemoryOutcome {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, "--import", "tsx", CHILD, "memory", step, dir], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  let report: MemoryReport | undefined;
  let last: MemorySample | undefined;
  for (const line of result.stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const parsed = JSON.parse(line) as { sample?: MemorySample; report?: MemoryReport };
    if (parsed.sample) last = parsed.sample;
    if (parsed.report) report = parsed.report;
  }
  const ok = result.status === 0 && report !== undefined;
  const heapLimit = /heap limit|out of memory/i.test(result.stderr);
  const error = ok ? undefined : heapLimit ? "JavaScript heap out of memory" : `exit ${result.status ?? result.signal}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`;
  return { step, heapMb, ok, ...(report ? { report } : {}), ...(last ? { last } : {}), ...(error ? { error } : {}) };
}

// ---------------------------------------------------------------------------
// Main

const started = performance.now();
console.log(
  `Keywarden Workflow steps: CPU per step (Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at start), policy "default", Admin API simulator in a child process`,
);
console.log("");

const results: SizeResult[] = [];
for (const size of SIZES) {
  process.stderr.write(`measuring ${size.label} keys…\n`);
  results.push(await measureSize(size));
}
process.stderr.write(`measuring ${BIG.label} keys (one repetition, plus the slice-size sweep)…\n`);
const big = await measureSize(BIG, sliceSweep);
results.push(big);

// Memory: each step in a fresh child under the isolate's 128 MB, at ~20,000 and ~100,000 keys.
interface MemoryRun {
  size: SizeResult;
  capped: MemoryOutcome[];
  /** The same step with a 4 GB heap, when it did not fit: what it needs. */
  uncapped: MemoryOutcome[];
}

const mb128 = ISOLATE_MB * 1024 * 1024;
const baselineOf = (r: MemoryReport) => r.baseline.heapUsed + r.baseline.external;
const fitsIsolate = (m: MemoryOutcome) => m.ok && m.report !== undefined && m.report.peak.total <= mb128;

function memoryRuns(size: SizeResult): MemoryRun {
  const dir = mkdtempSync(join(tmpdir(), "keywarden-bench-steps-"));
  const run: MemoryRun = { size, capped: [], uncapped: [] };
  try {
    size.work.parts.forEach((text, i) => writeFileSync(MEMORY_FILES.part(dir, i), text));
    const meta: MemoryMeta = { slices: size.work.parts.length };
    writeFileSync(MEMORY_FILES.meta(dir), JSON.stringify(meta));
    writeFileSync(MEMORY_FILES.openRows(dir), JSON.stringify(size.openRows));
    for (const step of ["evaluate", "evidence", "slack"]) {
      process.stderr.write(`memory: ${step} at ${size.size.label} keys under a ${ISOLATE_MB} MB heap…\n`);
      const outcome = memoryChild(step, dir, ISOLATE_MB);
      run.capped.push(outcome);
      // A step that did not complete did not write what the next one reads: the uncapped run does.
      if (!fitsIsolate(outcome)) run.uncapped.push(memoryChild(step, dir, 4096));
    }
    if (!run.capped.concat(run.uncapped).some((m) => m.step === "evaluate" && m.ok)) throw new Error("the evaluate step never completed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return run;
}

const memory = results.filter((r) => r.keys >= 10_000).map(memoryRuns);

// ---------------------------------------------------------------------------
// Output

const cols = results.map((r) => `${r.size.label} keys`);
const rows: string[][] = [
  [`CPU ms per step (median of ${results.map((r) => r.size.reps).join("/")} runs; slices: ${results.map((r) => r.size.inventoryReps ?? r.size.reps).join("/")})`, ...cols],
  ["org: projects × keys, users, admin keys", ...results.map((r) => `${r.size.projects}×${r.size.keysPerProject}, ${fmtInt(r.size.users)}, ${r.size.adminKeys}`)],
  ["keys (findings)", ...results.map((r) => `${fmtInt(r.keys)} (${fmtInt(r.findings)})`)],
  ["Admin API requests (minimum) / slices of ≤45", ...results.map((r) => `${fmtInt(r.requests)} (${fmtInt(r.minimumRequests)}) / ${r.slices}`)],
  ["check policy", ...results.map((r) => fmtMs(r.checkPolicy))],
  ["inventory slice, median / max — HTTP", ...results.map((r) => `${fmtMs(r.http.sliceMedian)} / ${fmtMs(r.http.sliceMax)}`)],
  ["inventory slice, median / max — replay", ...results.map((r) => `${fmtMs(r.replay.sliceMedian)} / ${fmtMs(r.replay.sliceMax)}`)],
  ["inventory, all slices — HTTP", ...results.map((r) => fmtMs(r.http.total))],
  ["inventory, all slices — replay", ...results.map((r) => fmtMs(r.replay.total))],
  ["evaluate and record (no D1 I/O)", ...results.map((r) => fmtMs(r.evaluate))],
  ["evidence: build, hash, sign (no R2 I/O)", ...results.map((r) => fmtMs(r.evidence))],
  ["  of which key import + Ed25519 sign", ...results.map((r) => fmtMs(r.signing))],
  ["Slack: render, redact, serialize (no HTTP)", ...results.map((r) => fmtMs(r.slack))],
];
console.log(table(rows));
console.log("HTTP = Node fetch (undici) over loopback to the simulator's process; replay = the same response bodies from memory (no HTTP stack).");
console.log(
  `CPU = process.cpuUsage() user+system; the main thread alone accounts for ${((cpuTotals.mainThread / cpuTotals.process) * 100).toFixed(0)}% of it over all measurements (the rest: GC and other helper threads).`,
);
console.log("");

console.log("Peak memory of one step, each in a fresh child (MiB; heap used + external, ArrayBuffers included in external)");
const memRows: string[][] = [["keys", "step", "heap cap", "outcome", "peak", "(heap+ext)", "live after full GC", "baseline", "peak − baseline", "CPU ms"]];
for (const run of memory) {
  for (const m of [...run.capped, ...run.uncapped]) {
    const r = m.report;
    const base = [fmtInt(run.size.keys), m.step, `${m.heapMb} MB`];
    if (r) {
      memRows.push([
        ...base,
        m.ok ? (r.peak.total <= mb128 ? "fits" : "completed, > 128") : "crashed",
        fmtMb(r.peak.total),
        `${fmtMb(r.peak.heapUsed)}+${fmtMb(r.peak.external)}`,
        r.live ? fmtMb(r.live.total) : "—",
        fmtMb(baselineOf(r)),
        fmtMb(r.peak.total - baselineOf(r)),
        fmtMs(r.cpuMs),
      ]);
    } else {
      const last = m.last;
      memRows.push([...base, "OUT OF MEMORY", last ? `≥${fmtMb(last.heapUsed + last.external)}` : "?", last ? `at "${last.label}"` : (m.error ?? ""), "", "", "", ""]);
    }
  }
}
console.log(table(memRows));
console.log(
  "peak = highest heap used + external at a checkpoint or just before a GC (garbage included); live = highest after a full GC; baseline = Node, tsx and Keywarden's modules loaded, before the step (a Worker's own baseline is not measured here).",
);
for (const run of memory) {
  console.log(
    `${fmtInt(run.size.keys)} keys: run_findings rows read back by one D1 query (finding_json) ${fmtMb(run.size.findingJsonBytes)} MiB; evidence files ${fmtMb(run.size.evidenceBytes)} MiB.`,
  );
}
console.log("");

// Free-plan slice sweep.
console.log(`Free plan: one slice vs its request cap (${big.size.label}-key org, pages of 100 items, first ~${SWEEP_REQUESTS} requests)`);
const sweepTable: string[][] = [["cap", "requests/slice", "CPU ms/slice HTTP", "replay"]];
for (const s of sweepRows) sweepTable.push([String(s.cap), String(s.requestsPerSlice), fmtMs(s.httpMs), fmtMs(s.replayMs)]);
console.log(table(sweepTable));
const httpFit = linearFit(sweepRows.flatMap((s) => s.httpPoints));
const replayFit = linearFit(sweepRows.flatMap((s) => s.replayPoints));
const maxRequests = (f: { a: number; b: number }) => (f.a >= FREE_CPU_MS ? 0 : Math.floor((FREE_CPU_MS - f.a) / f.b));
console.log(
  `fit over every slice: CPU ≈ ${fmtMs(httpFit.a)} + ${fmtMs(httpFit.b)}·requests ms (HTTP), ${fmtMs(replayFit.a)} + ${fmtMs(replayFit.b)}·requests ms (replay) → ≤ ${FREE_CPU_MS} ms for at most ${maxRequests(httpFit)} (HTTP) / ${maxRequests(replayFit)} (replay) requests per slice`,
);
console.log("");

// Steps, subrequests and plan verdicts.
const cap10 = sweepRows.find((s) => s.cap === 10);
const stepTable: string[][] = [["per run (notify on)", ...cols]];
stepTable.push(["Workflow steps (slices + 6)", ...results.map((r) => fmtInt(r.slices + OTHER_STEPS))]);
if (cap10) stepTable.push([`  with AUDIT_SUBREQUESTS_PER_STEP=10 (~${cap10.requestsPerSlice}/slice)`, ...results.map((r) => fmtInt(Math.ceil(r.requests / cap10.requestsPerSlice) + OTHER_STEPS))]);
stepTable.push(["Admin API requests in the largest slice", ...results.map((r) => String(Math.max(...r.requestsPerSlice)))]);
stepTable.push(["Slack step: external requests", ...results.map((r) => fmtInt(r.slackRequests))]);
stepTable.push(["Slack step: wall time ≥ (1 s between posts)", ...results.map((r) => `${fmtInt(r.slackThreadMessages)} s`)]);
stepTable.push(["D1 statements in the record batch (1 call)", ...results.map((r) => fmtInt(r.recordStatements))]);
stepTable.push(["R2 ops per step: slice / evaluate / evidence", ...results.map((r) => `3 / ${r.slices} / ${r.slices + 7}`)]);
console.log(table(stepTable));
console.log(
  "External subrequests (Free 50, Paid 1,000–10,000 per invocation) are the Admin API and Slack calls; R2 and D1 calls are Cloudflare-service operations (1,000 per invocation). D1 calls per step: evaluate 3 (+ the batch's statements), evidence 4, Slack 3.",
);
console.log("");

function stepCosts(r: SizeResult): [string, number, number][] {
  return [
    ["slice", r.http.sliceMax, r.replay.sliceMax],
    ["evaluate", r.evaluate, r.evaluate],
    ["evidence", r.evidence, r.evidence],
    ["Slack", r.slack, r.slack],
    ["check policy", r.checkPolicy, r.checkPolicy],
  ];
}

console.log(`Verdict per size (Free: every step ≤ ${FREE_CPU_MS} ms CPU and ≤ ${FREE_SUBREQUESTS} external subrequests, ≤ ${fmtInt(FREE_STEPS)} steps; Paid: ≤ 30 s CPU per step, 128 MB):`);
for (const r of results) {
  const free: string[] = [];
  const freeUncertain: string[] = [];
  for (const [name, high, low] of stepCosts(r)) {
    const range = low === high ? fmtMs(high) : `${fmtMs(Math.min(low, high))}–${fmtMs(Math.max(low, high))}`;
    if (Math.min(high, low) > FREE_CPU_MS) free.push(`${name} ${range} ms`);
    else if (Math.max(high, low) > FREE_CPU_MS) freeUncertain.push(`${name} ${range} ms (over only with Node's HTTP client)`);
  }
  if (r.slackRequests > FREE_SUBREQUESTS) free.push(`Slack step ${fmtInt(r.slackRequests)} requests`);
  if (r.slices + OTHER_STEPS > FREE_STEPS) free.push(`${r.slices + OTHER_STEPS} steps`);
  const top = stepCosts(r).reduce((a, b) => (b[1] > a[1] ? b : a));
  const paid: string[] = [];
  if (top[1] > PAID_CPU_MS) paid.push(`${top[0]} ${fmtMs(top[1])} ms`);
  if (r.slices + OTHER_STEPS > PAID_STEPS) paid.push(`${r.slices + OTHER_STEPS} steps`);
  const run = memory.find((m) => m.size === r);
  const memoryNote: string[] = [];
  const paidBorderline: string[] = [];
  for (const m of run?.capped ?? []) {
    const report = m.report;
    if (fitsIsolate(m)) memoryNote.push(`${m.step} ${fmtMb(report?.peak.total ?? 0)}`);
    else if (m.ok && report && report.peak.total - baselineOf(report) <= mb128) {
      paidBorderline.push(
        `${m.step} peaks at ${fmtMb(report.peak.total)} MiB in Node, ${fmtMb(report.peak.total - baselineOf(report))} MiB above Node's ${fmtMb(baselineOf(report))} MiB baseline`,
      );
    } else {
      const need = run?.uncapped.find((u) => u.step === m.step)?.report;
      paid.push(`${m.step} needs more than 128 MB${need ? ` (peak ${fmtMb(need.peak.total)}, live ${need.live ? fmtMb(need.live.total) : "?"} MiB)` : ""}`);
    }
  }
  if (r.slackRequests > PAID_SUBREQUESTS) paid.push(`Slack step ${fmtInt(r.slackRequests)} requests (> 1,000; < 10,000)`);
  const freeText = free.length > 0 ? `no: ${[...free, ...freeUncertain].join(", ")}` : freeUncertain.length > 0 ? `uncertain: ${freeUncertain.join(", ")}` : "fits";
  console.log(`  ${r.size.label.padEnd(9)} keys  Free: ${freeText}`);
  const cpuText = `heaviest step ${top[0]} ${fmtMs(top[1])} ms = ${((top[1] / PAID_CPU_MS) * 100).toFixed(2)}% of 30 s`;
  const memoryText = run ? (memoryNote.length > 0 ? `; peak MiB ${memoryNote.join(", ")}` : "") : "; memory below the ~20,000-key figures";
  const paidText =
    paid.length > 0 ? `no: ${paid.join(", ")}` : paidBorderline.length > 0 ? `borderline: ${cpuText}; ${paidBorderline.join("; ")}${memoryText}` : `fits: ${cpuText}${memoryText}`;
  console.log(`  ${"".padEnd(9)}       Paid: ${paidText}`);
}
// Near 10 ms the steps are linear in keys: the line through the two smallest sizes says where each crosses it.
const small = results.slice(0, 2);
const keysAt10 = (pick: (r: SizeResult) => number) => {
  const f = linearFit(small.map((r) => [r.keys, pick(r)]));
  return f.a >= FREE_CPU_MS || f.b <= 0 ? 0 : Math.floor((FREE_CPU_MS - f.a) / f.b);
};
console.log(
  `  Free, largest org per step (line through ${small.map((r) => fmtInt(r.keys)).join(" and ")} keys): evaluate ≤ ${FREE_CPU_MS} ms up to ≈${fmtInt(keysAt10((r) => r.evaluate))} keys, evidence ≈${fmtInt(keysAt10((r) => r.evidence))}, Slack ≈${fmtInt(keysAt10((r) => r.slack))}.`,
);
const mid = memory.find((m) => m.size.keys < 50_000);
if (mid) {
  const estimates = mid.capped
    .filter((m) => m.ok && m.report)
    .map((m) => {
      const report = m.report as MemoryReport;
      return `${m.step} ≈${fmtInt((mid.size.keys * ISOLATE_MB * 1024 * 1024) / (report.peak.total - baselineOf(report)))}`;
    });
  console.log(
    `  Paid, largest org within 128 MiB (the ${fmtInt(mid.size.keys)}-key peak above Node's baseline, scaled linearly; a Worker's own baseline comes on top, so these are upper bounds): ${estimates.join(", ")} keys.`,
  );
}
if (cap10) {
  console.log(
    `  Free, inventory: with AUDIT_SUBREQUESTS_PER_STEP=10 a slice makes ~${cap10.requestsPerSlice} requests for ${fmtMs(cap10.replayMs)}–${fmtMs(cap10.httpMs)} ms (replay–HTTP); at 20 it makes ~${sweepRows.find((s) => s.cap === 20)?.requestsPerSlice} for ${fmtMs(sweepRows.find((s) => s.cap === 20)?.replayMs ?? 0)}–${fmtMs(sweepRows.find((s) => s.cap === 20)?.httpMs ?? 0)} ms.`,
  );
}
console.log("");
console.log(`(total bench time ${((performance.now() - started) / 1000).toFixed(0)} s)`);
