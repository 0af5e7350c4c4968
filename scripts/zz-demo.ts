import { runAuditWithInventory } from "../src/audit/run.js";
import { sampleAnthropicOrg } from "../src/sim/anthropic/sample-org.js";
import { startAnthropicSimulator } from "../src/sim/anthropic/server.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";
import { readFileSync } from "node:fs";
const adminKey = "sk-admin-fake-demo-key-0000000000000";
const anthropicKey = "sk-ant-admin01-fake-demo-key-0000000000";
const now = new Date();
const sim = await startSimulator({ org: sampleOrg(now), adminKey, latencyMs: 50 });
const asim = await startAnthropicSimulator({ org: sampleAnthropicOrg(now), adminKey: anthropicKey, latencyMs: 50 });
const accounts = [
  { name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey, baseUrl: sim.url },
  { name: "anthropic", provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: anthropicKey, baseUrl: asim.url },
] as const;
const policyFile = "test/sim/sample-policy.yaml";
for (let i = 0; i < 2; i++) {
sim.clearLog(); asim.clearLog();
const t0 = Date.now();
const { run } = await runAuditWithInventory({ config: {}, accounts: [...accounts], policy: { name: "sample-org", file: policyFile, text: readFileSync(policyFile, "utf8") }, trigger: "demo", enrich: ["audit_log", "usage", "costs"] });
const el = Date.now() - t0;
const all = [...sim.requests.map((r) => ({ ...r, who: "openai" })), ...asim.requests.map((r) => ({ ...r, who: "anthropic" }))].sort((a, b) => a.at - b.at);
for (const r of all) console.log(String(r.at - t0).padStart(5), r.who, r.path, JSON.stringify(r.query).slice(0, 120));
console.log(`elapsed ${el} ms, requests ${all.length}, status ${run.status}, inv ${run.counts.api_requests} enr ${run.enrichment?.api_requests}`);
}
await sim.close(); await asim.close();
