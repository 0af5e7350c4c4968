/**
 * `npm run bench`: measures the inventory against the simulator with 50 ms of
 * latency per request, the whole run (inventory and enrichment) against its
 * network lower bound for the benchmark organization and the demo's two
 * (bench-run.ts), policy evaluation on 100,000 keys × 10 rules, how fast
 * the CLI starts (bench-startup.ts), and the CPU and memory of each kind of
 * Workflow step against the Workers plans' limits (bench-steps.ts).
 * It prints figures; it asserts nothing. `npm run bench -- --quick` skips the steps (~90 s).
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { collectInventory } from "../src/providers/openai/collect.js";
import { generateOrg } from "../src/sim/generate.js";
import { minimumRequests } from "../test/sim/minimum-requests.js";
import { startSimulator } from "../src/sim/server.js";
import { benchWholeRun } from "./bench-run.js";

const ADMIN_KEY = "sk-admin-fake-bench-key-000000000000";
const LATENCY_MS = 50;
const CONCURRENCY = 6;
const NOW = new Date();

async function sequentialSdkLoop(baseURL: string): Promise<number> {
  const client = new OpenAI({ adminAPIKey: ADMIN_KEY, apiKey: "unused", baseURL, maxRetries: 0, organization: null, project: null });
  let items = 0;
  for await (const _ of client.admin.organization.adminAPIKeys.list({ limit: 100 })) items++;
  for await (const _ of client.admin.organization.users.list({ limit: 100 })) items++;
  for await (const project of client.admin.organization.projects.list({ limit: 100, include_archived: true })) {
    for await (const _ of client.admin.organization.projects.apiKeys.list(project.id, { limit: 100, owner_project_access: "any" })) items++;
  }
  return items;
}

async function benchInventory(): Promise<void> {
  const org = generateOrg({ projects: 300, keysPerProject: 5, users: 250, adminKeys: 10, now: NOW, seed: 42 });
  const sim = await startSimulator({ org, adminKey: ADMIN_KEY, latencyMs: LATENCY_MS });
  try {
    const minimum = minimumRequests(org);
    const bound = Math.ceil(minimum / CONCURRENCY) * LATENCY_MS;

    const started = performance.now();
    const inventory = await collectInventory({ adminKey: ADMIN_KEY, baseURL: sim.url, concurrency: CONCURRENCY });
    const elapsed = performance.now() - started;
    const made = sim.requests.length;
    const maxInFlight = sim.maxConcurrent;
    sim.clearLog();

    const seqStarted = performance.now();
    await sequentialSdkLoop(sim.url);
    const seqElapsed = performance.now() - seqStarted;
    const seqRequests = sim.requests.length;

    console.log("Inventory: 300 projects × 5 keys, 250 users, 10 admin keys, 50 ms latency per request");
    console.log(`  keys seen                ${inventory.keys.length} (errors: ${inventory.errors.length})`);
    console.log(`  requests                 ${made} (minimum Σ⌈items/100⌉ = ${minimum}) → ${made === minimum ? "= minimum" : "ABOVE minimum"}`);
    console.log(`  max in flight            ${maxInFlight} (limit ${CONCURRENCY})`);
    console.log(`  network time             ${elapsed.toFixed(0)} ms (lower bound ⌈${minimum}/${CONCURRENCY}⌉ × ${LATENCY_MS} ms = ${bound} ms) → ${(elapsed / bound).toFixed(2)}× the bound (target ≤ 1.20×)`);
    console.log(`  sequential SDK loop      ${seqElapsed.toFixed(0)} ms, ${seqRequests} requests → Keywarden is ${(seqElapsed / elapsed).toFixed(1)}× faster (target ≥ 5×)`);
  } finally {
    await sim.close();
  }
}

function benchEvaluation(): void {
  // A child process with a 128 MB heap ceiling: if evaluation did not fit, it would crash.
  const here = dirname(fileURLToPath(import.meta.url));
  const output = execFileSync(process.execPath, ["--max-old-space-size=128", "--expose-gc", "--import", "tsx", join(here, "bench-evaluate.ts")], {
    encoding: "utf8",
  });
  process.stdout.write(output);
}

/** The other benchmarks are scripts of their own (they need child processes); their output goes straight through. */
function benchScript(name: string): void {
  const here = dirname(fileURLToPath(import.meta.url));
  console.log("");
  execFileSync(process.execPath, ["--import", "tsx", join(here, name)], { stdio: "inherit" });
}

await benchInventory();
console.log("");
await benchWholeRun();
benchEvaluation();
benchScript("bench-startup.ts");
if (!process.argv.includes("--quick")) benchScript("bench-steps.ts");
