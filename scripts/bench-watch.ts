/**
 * `npx tsx scripts/bench-watch.ts` (part of `npm run bench`): what one firing of the hourly watch
 * (issue 20) asks of each provider, against the simulators with 50 ms of latency per request: a quiet
 * hour, and an hour in which 10 keys were created (each breaking a rule). OpenAI through its audit
 * log (the sample organization, and a generated one of ~1,500 keys: the count does not depend on
 * its size); Anthropic through its key list (the sample organization, and one of 2,500 keys: one
 * request per 1,000). For each: requests, keys read, findings, time. It prints figures; it asserts nothing.
 */
import type { AccountSettings } from "../src/config.js";
import { parsedBundledPolicy } from "../src/policy/bundled.js";
import { sampleAnthropicOrg } from "../src/sim/anthropic/sample-org.js";
import { startAnthropicSimulator } from "../src/sim/anthropic/server.js";
import type { ApiKeyJson, SimAnthropicOrg } from "../src/sim/anthropic/types.js";
import { generateOrg } from "../src/sim/generate.js";
import { createKeyWithEvent } from "../src/sim/openai/control-keys.js";
import type { SimOrg } from "../src/sim/org.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";
import { fireWatch } from "../src/watch/fire.js";
import { MemoryWatchState } from "../src/watch/memory-state.js";

const LATENCY_MS = 50;
const NEW_KEYS = 10;
const OPENAI_KEY = "sk-admin-fake-bench-watch-00000000000000";
const ANTHROPIC_KEY = "sk-ant-admin01-fake-bench-watch-0000000000";
const NOW = new Date();
const RUN_START = new Date(NOW.getTime() - 3_600_000);
const policy = parsedBundledPolicy("default");
if (!policy) throw new Error("the default policy does not parse");

interface Figures {
  requests: number;
  keysRead: number;
  findings: number;
  ms: number;
}

/** One firing of the watch over `account`, its state `state` (a first firing to set it up is the caller's). */
async function oneFiring(account: AccountSettings, state: MemoryWatchState): Promise<Figures> {
  const started = performance.now();
  const { firing, findings } = await fireWatch({
    settings: { accounts: [account], policy: "default", enrich: ["audit_log"], subrequestsPerStep: 45, secrets: [account.adminKey] },
    policy: policy as NonNullable<typeof policy>,
    state,
    knowledge: { lastCompleteRunStart: async () => RUN_START.toISOString(), told: async () => new Set(), accepted: async () => [] },
    notifier: null,
    now: () => NOW,
  });
  return { requests: firing.requests, keysRead: firing.keys_seen, findings: findings.length, ms: performance.now() - started };
}

async function openai(label: string, org: SimOrg): Promise<void> {
  const sim = await startSimulator({ org, adminKey: OPENAI_KEY, latencyMs: LATENCY_MS });
  try {
    const account: AccountSettings = { name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey: OPENAI_KEY, baseUrl: sim.url };
    const quiet = await oneFiring(account, new MemoryWatchState());
    const busy = sim.getOrg();
    const userId = busy.users.find((u) => !u.is_service_account && u.email?.endsWith("@gmail.com"))?.id ?? busy.users[0]?.id ?? "";
    const projectId = busy.projects.find((p) => p.status !== "archived")?.id ?? "";
    for (let i = 0; i < NEW_KEYS; i++) createKeyWithEvent(busy, { project_id: projectId, owner: { user_id: userId }, id: `key_bench_new_${i}` }, new Date(RUN_START.getTime() + (i + 1) * 60_000));
    sim.setOrg(busy);
    const tenNew = await oneFiring(account, new MemoryWatchState());
    print(`OpenAI, ${label}`, quiet, tenNew);
  } finally {
    await sim.close();
  }
}

async function anthropic(label: string, org: SimAnthropicOrg): Promise<void> {
  const sim = await startAnthropicSimulator({ org, adminKey: ANTHROPIC_KEY, latencyMs: LATENCY_MS, now: () => NOW });
  try {
    const account: AccountSettings = { name: "anthropic", provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: ANTHROPIC_KEY, baseUrl: sim.url };
    const state = new MemoryWatchState();
    await oneFiring(account, state); // the first list, stored
    const quiet = await oneFiring(account, state);
    const busy = sim.getOrg();
    const template = busy.apiKeys.find((k) => k.principal?.type === "user_actor" && k.status === "active") as ApiKeyJson;
    const mallory = busy.users.find((u) => u.email.endsWith("@gmail.com"))?.id ?? template.created_by?.id ?? "";
    for (let i = 0; i < NEW_KEYS; i++) {
      busy.apiKeys.push({ ...template, id: `apikey_bench_new_${i}`, name: `new ${i}`, created_at: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(), principal: { type: "user_actor", user_id: mallory } });
    }
    sim.setOrg(busy);
    const tenNew = await oneFiring(account, state);
    print(`Anthropic, ${label}`, quiet, tenNew);
  } finally {
    await sim.close();
  }
}

function withKeys(org: SimAnthropicOrg, n: number): SimAnthropicOrg {
  const template = org.apiKeys[0] as ApiKeyJson;
  for (let i = 0; i < n; i++) org.apiKeys.push({ ...template, id: `apikey_bulk_${String(i).padStart(5, "0")}`, name: `bulk ${i}`, created_at: new Date(NOW.getTime() - (i + 100) * 86_400_000 / 24).toISOString() });
  return org;
}

function print(label: string, quiet: Figures, tenNew: Figures): void {
  const line = (what: string, f: Figures) => `  ${what.padEnd(22)} ${String(f.requests).padStart(3)} requests, ${String(f.keysRead).padStart(2)} keys read, ${String(f.findings).padStart(2)} findings, ${Math.round(f.ms)} ms`;
  console.log(`${label}:\n${line("a quiet hour", quiet)}\n${line(`${NEW_KEYS} new keys`, tenNew)}`);
}

console.log(`keywarden watch: one firing per provider, ${LATENCY_MS} ms latency per request`);
await openai("sample organization", sampleOrg(NOW));
await openai("generated, 300 projects × 5 keys", generateOrg({ projects: 300, keysPerProject: 5, users: 250, adminKeys: 10, now: NOW, seed: 42 }));
await anthropic("sample organization", sampleAnthropicOrg(NOW));
await anthropic("2,514 keys", withKeys(sampleAnthropicOrg(NOW), 2_500));
