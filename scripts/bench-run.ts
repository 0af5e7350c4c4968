/**
 * Part of `npm run bench` (also `npx tsx scripts/bench-run.ts`): the whole run, inventory and
 * enrichment (ENRICH=audit_log,usage,costs), against its network lower bound (issue 19, Speed): for the
 * benchmark organization and for the demo's two (one OpenAI, one Anthropic). The simulators answer
 * after 50 ms, in a process of their own (bench-run-sims.ts); the run keeps at most 6 requests in
 * flight for all accounts, so no run of n requests can take less than ⌈n/6⌉ × 50 ms. Printed per
 * account: the requests made against the fewest that read it (Σ⌈items/page size⌉); per case: the
 * median of five runs after a warm-up, overlapped as the run is now, and one stage after the other as
 * before (the inventory, then the enrichment), in turn. It prints figures; it asserts nothing.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AccountSettings } from "../src/config.js";
import { assembleRun, collectRunSlice, startRunWork } from "../src/audit/accounts.js";
import { applyAccountsEnrichment, enrichAccountsStep, mergedEnrichment } from "../src/audit/enrich.js";
import { startRunEnrichment, withAccountKeys } from "../src/audit/enrich-plan.js";
import { type PolicySource, checkPolicy, concludeRun, runAuditWithInventory } from "../src/audit/run.js";
import { auditLogWindows } from "../src/enrichment/plan.js";
import { ENRICH_SOURCES } from "../src/model/enrichment.js";
import type { SimAnthropicOrg } from "../src/sim/anthropic/types.js";
import type { SimOrg } from "../src/sim/org.js";
import { minimumAnthropicListRequests, minimumAuditLogRequests, minimumRequests } from "../test/sim/minimum-requests.js";
import { BENCH_ANTHROPIC_KEY, BENCH_OPENAI_KEY } from "./bench-run-sims.js";

const LATENCY_MS = 50;
const IN_FLIGHT = 6;
const RUNS = 5;
const TARGET = 1.15;
const here = dirname(fileURLToPath(import.meta.url));
const POLICY_FILE = "test/sim/sample-policy.yaml";
const policy: PolicySource = { name: "sample-org", file: POLICY_FILE, text: readFileSync(join(here, "..", POLICY_FILE), "utf8") };

interface Logged {
  account: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

/** The simulators of `name`, in their own process; their URLs by account. */
async function startSims(name: string, now: Date): Promise<{ child: ChildProcess; urls: Record<string, string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "bench-run-sims.ts"), name, String(now.getTime()), String(LATENCY_MS)], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (data) => resolve(String(data)));
    child.once("exit", (code) => reject(new Error(`the simulators of ${name} exited (${code})`)));
  });
  return { child, urls: JSON.parse(line) as Record<string, string> };
}

const control = (url: string, what: string) => `${new URL(url).origin}/__sim/${what}`;

async function clearLogs(urls: Record<string, string>): Promise<void> {
  await Promise.all(Object.values(urls).map((url) => fetch(control(url, "requests"), { method: "DELETE" })));
}

async function logs(urls: Record<string, string>): Promise<Logged[]> {
  const each = await Promise.all(
    Object.entries(urls).map(async ([account, url]) => {
      const { requests } = (await (await fetch(control(url, "requests"))).json()) as { requests: Omit<Logged, "account">[] };
      return requests.map((r) => ({ ...r, account }));
    }),
  );
  return each.flat().sort((a, b) => a.at - b.at);
}

/** Which source a request is of: the enrichment's (audit log, usage, costs) or the inventory's. */
function sourceOf(r: Logged): "audit log" | "usage" | "costs" | "inventory" {
  if (r.path.endsWith("/audit_logs")) return "audit log";
  if (r.path.endsWith("/usage/completions")) return "usage";
  if (r.path.endsWith("/costs") || r.path.endsWith("/analytics/cost")) return "costs";
  // Anthropic's usage report: by day for the last use (the inventory), whole for the enrichment.
  if (r.path.endsWith("/analytics/usage")) return r.query["time_bucket_width"] ? "inventory" : "usage";
  return "inventory";
}

type Mode = "overlapped" | "one after the other" | "inventory alone";

/** One run in `mode`, timed. */
async function timedRun(mode: Mode, accounts: readonly AccountSettings[]): Promise<{ ms: number; keysOf: Map<string, string[]> }> {
  const started = performance.now();
  const { inventory } = mode === "one after the other" ? await stageAfterStage(accounts) : await runAuditWithInventory({ config: {}, accounts, policy, trigger: "cli", enrich: mode === "overlapped" ? ENRICH_SOURCES : [] });
  const ms = performance.now() - started;
  return { ms, keysOf: new Map((inventory?.accounts ?? []).map((a) => [a.account, a.keys.map((k) => k.created_at)])) };
}

/** The run as it was before the overlap: every account's inventory, then the enrichment planned from its keys. */
async function stageAfterStage(accounts: readonly AccountSettings[]): ReturnType<typeof runAuditWithInventory> {
  const now = new Date();
  const checked = checkPolicy(policy);
  if (!checked.ok) throw new Error("the sample policy is invalid");
  const { parts } = await collectRunSlice(accounts, startRunWork(accounts, checked.policy), { now });
  const collected = assembleRun(accounts, parts);
  const planned = (startRunEnrichment(accounts, () => ENRICH_SOURCES, now) ?? []).flatMap((e) => {
    const seen = collected.accounts.find((a) => a.account === e.account);
    const withKeys = seen ? withAccountKeys(e, seen) : null;
    return withKeys ? [withKeys] : [];
  });
  const { enrichments } = await enrichAccountsStep(planned, accounts);
  const inventory = applyAccountsEnrichment(collected, enrichments);
  const base = { id: "run_bench", trigger: "cli" as const, started_at: now.toISOString() };
  const run = concludeRun({ base, policy: checked, inventory, evaluatedAt: new Date(), finishedAt: new Date(), secrets: [], enrichment: mergedEnrichment(enrichments) });
  return { run, inventory };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const boundOf = (requests: number) => Math.ceil(requests / IN_FLIGHT) * LATENCY_MS;

async function benchCase(label: string, name: string): Promise<void> {
  const now = new Date();
  const { child, urls } = await startSims(name, now);
  try {
    const accounts: AccountSettings[] = Object.entries(urls).map(([account, url]) =>
      account === "anthropic"
        ? { name: account, provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: BENCH_ANTHROPIC_KEY, baseUrl: url }
        : { name: account, provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey: BENCH_OPENAI_KEY, baseUrl: url },
    );
    const orgs = Object.fromEntries(await Promise.all(Object.entries(urls).map(async ([account, url]) => [account, await (await fetch(control(url, "org"))).json()])));
    const modes = ["overlapped", "one after the other", "inventory alone"] as const;
    for (const mode of modes) await timedRun(mode, accounts); // warm-up: the code paths compiled, the connections open
    const figures = new Map<Mode, { ms: number[]; requests: number; log: Logged[]; keysOf: Map<string, string[]> }>(modes.map((mode) => [mode, { ms: [], requests: 0, log: [], keysOf: new Map() }]));
    // The modes in turn, so that what else the machine does weighs on each alike.
    for (let i = 0; i < RUNS; i++) {
      for (const mode of modes) {
        await clearLogs(urls);
        const run = await timedRun(mode, accounts);
        const log = await logs(urls);
        const f = figures.get(mode);
        if (f) Object.assign(f, { ms: [...f.ms, run.ms], requests: log.length, log, keysOf: run.keysOf });
      }
    }
    const overlapped = figures.get("overlapped");
    if (!overlapped) return;
    console.log(`  ${label}`);
    for (const account of accounts) printAccount(account, orgs[account.name], overlapped.log, overlapped.keysOf.get(account.name) ?? []);
    for (const [mode, f] of figures) {
      const ratios = f.ms.map((ms) => ms / boundOf(f.requests));
      const range = `runs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
      const target = mode === "overlapped" ? `; target ≤ ${TARGET.toFixed(2)}×` : "";
      console.log(
        `    ${mode.padEnd(20)} ${fmt(median(f.ms))} ms for ${f.requests} requests; lower bound ⌈${f.requests}/${IN_FLIGHT}⌉ × ${LATENCY_MS} ms = ${fmt(boundOf(f.requests))} ms → ${(median(f.ms) / boundOf(f.requests)).toFixed(2)}× (${range}${target})`,
      );
    }
    const log = overlapped.log;
    const firstEnrichment = log.findIndex((r) => sourceOf(r) !== "inventory");
    const lastInventory = log.findLastIndex((r) => sourceOf(r) === "inventory");
    if (firstEnrichment >= 0) {
      const when = firstEnrichment < lastInventory ? "before" : "after";
      console.log(`    the enrichment's first request is #${firstEnrichment + 1} of ${log.length}, ${when} the inventory's last (#${lastInventory + 1})`);
    }
  } finally {
    child.kill();
  }
}

/** One account's requests in the overlapped run, against the fewest that read it. */
function printAccount(account: AccountSettings, org: unknown, log: readonly Logged[], keyTimes: readonly string[]): void {
  const own = log.filter((r) => r.account === account.name);
  const count = (source: ReturnType<typeof sourceOf>) => own.filter((r) => sourceOf(r) === source).length;
  const verdict = (made: number, least: number) => `${made} (minimum ${least}${made === least ? "" : made > least ? ", ABOVE" : ""})`;
  const head = `    ${account.name.padEnd(10)} `;
  if (account.provider === "anthropic") {
    const simOrg = org as SimAnthropicOrg;
    const lists = own.filter((r) => sourceOf(r) === "inventory" && !r.path.endsWith("/analytics/usage")).length;
    const lastUse = count("inventory") - lists;
    const reports = (n: number) => Math.max(1, Math.ceil(n / 1000));
    const keysWithUse = new Set(simOrg.usage.map((u) => u.api_key_id)).size;
    console.log(
      `${head}inventory: lists ${verdict(lists, minimumAnthropicListRequests(simOrg))}, usage for each key's last use ${lastUse}; enrichment: usage ${verdict(count("usage"), reports(keysWithUse))}, cost ${verdict(count("costs"), reports(keysWithUse))}`,
    );
    return;
  }
  const simOrg = org as SimOrg;
  const keys = keyTimes.map((created_at) => ({ created_at }) as Parameters<typeof auditLogWindows>[0][number]);
  const windows = auditLogWindows(keys, IN_FLIGHT) as { gte: number; lt: number | null }[];
  console.log(
    `${head}inventory ${verdict(count("inventory"), minimumRequests(simOrg))}; enrichment: audit log ${verdict(count("audit log"), minimumAuditLogRequests(simOrg, windows))} in ${windows.length} window(s), usage ${verdict(count("usage"), 1)}, costs ${verdict(count("costs"), 1)}`,
  );
}

export async function benchWholeRun(): Promise<void> {
  console.log(
    `Whole run (inventory + enrichment ENRICH=audit_log,usage,costs), ${LATENCY_MS} ms latency per request, simulators in their own process, ${IN_FLIGHT} in flight for all accounts; median of ${RUNS} runs after a warm-up`,
  );
  await benchCase("generated organization: 300 projects × 5 keys, 250 users, 10 admin keys, with an audit log and usage", "generated");
  await benchCase("the demo's organizations: the sample OpenAI organization and the sample Anthropic organization, in one run", "demo");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchWholeRun();
