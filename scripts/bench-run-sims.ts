/**
 * The simulators of bench-run.ts, in a process of their own (as the real Admin APIs are elsewhere: their
 * work is not the client's CPU): `node --import tsx scripts/bench-run-sims.ts <case> <now ms> <latency ms>`
 * prints one JSON line, the URL of each organization's simulator, and serves until killed.
 *   generated  the benchmark organization (300 projects × 5 keys, 250 users, 10 admin keys) with an audit log and usage
 *   demo       the demo's two organizations: the sample OpenAI organization and the sample Anthropic one
 */
import { sampleAnthropicOrg } from "../src/sim/anthropic/sample-org.js";
import { startAnthropicSimulator } from "../src/sim/anthropic/server.js";
import { generateOrg } from "../src/sim/generate.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";
import { withEnrichmentData } from "./bench-enrichment.js";

export const BENCH_OPENAI_KEY = "sk-admin-fake-bench-run-key-00000000000";
export const BENCH_ANTHROPIC_KEY = "sk-ant-admin01-fake-bench-run-key-0000000";

export function benchmarkOrg(now: Date) {
  return withEnrichmentData(generateOrg({ projects: 300, keysPerProject: 5, users: 250, adminKeys: 10, now, seed: 42 }), now);
}

async function serve(name: string, now: Date, latencyMs: number): Promise<Record<string, string>> {
  if (name === "generated") return { openai: (await startSimulator({ org: benchmarkOrg(now), adminKey: BENCH_OPENAI_KEY, latencyMs })).url };
  if (name !== "demo") throw new Error(`no benchmark case ${name}`);
  const openai = await startSimulator({ org: sampleOrg(now), adminKey: BENCH_OPENAI_KEY, latencyMs });
  const anthropic = await startAnthropicSimulator({ org: sampleAnthropicOrg(now), adminKey: BENCH_ANTHROPIC_KEY, latencyMs });
  return { openai: openai.url, anthropic: anthropic.url };
}

if (process.argv[1]?.endsWith("bench-run-sims.ts")) {
  const [name = "", nowMs = "", latency = ""] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(await serve(name, new Date(Number(nowMs)), Number(latency)))}\n`);
}
