/**
 * `npx tsx scripts/bench-enrichment.ts` (part of `npm run bench`): what the enrichment (ENRICH,
 * docs/enrichment.md) costs on top of the inventory, against the simulator with 50 ms of latency per
 * request: the sample organization and generated ones of ~1,500 and ~20,000 keys. For each: the
 * inventory's requests and time, the enrichment's extra requests (per source) and time, the audit
 * log read in one sequential window against the parallel windows Keywarden cuts, and the Workflow
 * steps the enrichment needs at AUDIT_SUBREQUESTS_PER_STEP = 45. It prints figures; it asserts nothing.
 *
 * `withEnrichmentData` gives a generated organization (src/sim/generate.ts, which has neither) an
 * audit log and completions usage; the enrichment tests use it too.
 */
import { pathToFileURL } from "node:url";
import { collectInventory } from "../src/providers/openai/collect.js";
import { continueEnrichment } from "../src/providers/openai/enrich.js";
import { startEnrichment } from "../src/audit/enrich.js";
import { ENRICH_SOURCES, type EnrichSource } from "../src/model/enrichment.js";
import { generateOrg } from "../src/sim/generate.js";
import { DAY_SECONDS, type AuditLogActorJson, type AuditLogJson, type SimOrg, type SimUsageRecord, unixSeconds } from "../src/sim/org.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";

const ADMIN_KEY = "sk-admin-fake-bench-enrichment-0000000";
const LATENCY_MS = 50;
const STEP_CAP = 45;

/**
 * `org` with an audit log and usage, deterministically: one `api_key.created` event per key at its
 * created_at (a session of its owner for a user's key or an admin key, the first admin key for a
 * service account's key), `deletedEvery`: one more event of a key since deleted per that many keys
 * (the log keeps them), and for each project key used within the last 30 days one completions
 * record a day over its last `usageDays` days of use.
 */
export function withEnrichmentData(org: SimOrg, now: Date, options: { deletedEvery?: number; usageDays?: number } = {}): SimOrg {
  const nowS = unixSeconds(now);
  const deletedEvery = options.deletedEvery ?? 10;
  const usageDays = options.usageDays ?? 5;
  const users = new Map(org.users.map((u) => [u.id, u]));
  const fallbackUser = org.users.find((u) => !u.is_service_account && u.email);
  const session = (userId: string, n: number): AuditLogActorJson => {
    const user = users.get(userId) ?? fallbackUser;
    return { type: "session", session: { user: { id: user?.id ?? userId, email: user?.email ?? "" }, ip_address: `198.51.100.${n % 250}` } };
  };
  const viaAdminKey = org.adminKeys[0]?.id ?? "key_admin_retired";
  const events: AuditLogJson[] = [];
  let n = 0;
  const created = (keyId: string, at: number, actor: AuditLogActorJson, project?: { id: string; name: string }): void => {
    const event: AuditLogJson = { id: `audit_log-${keyId}_created`, type: "api_key.created", effective_at: at, actor, "api_key.created": { id: keyId, data: { scopes: [] } } };
    if (project) event.project = project;
    events.push(event);
    n++;
    if (deletedEvery > 0 && n % deletedEvery === 0) {
      events.push({ id: `audit_log-${keyId}_gone_created`, type: "api_key.created", effective_at: at, actor, "api_key.created": { id: `${keyId}_gone`, data: { scopes: [] } } });
    }
  };
  for (const key of org.adminKeys) created(key.id, key.created_at, session(key.owner.id, n));
  const usage: SimUsageRecord[] = [];
  for (const project of org.projects) {
    for (const key of org.projectKeys[project.id] ?? []) {
      const ref = { id: project.id, name: project.name ?? "" };
      const actor: AuditLogActorJson =
        key.owner.type === "user"
          ? session(key.owner.user.id, n)
          : { type: "api_key", api_key: { id: viaAdminKey, type: "service_account", service_account: { id: key.owner.service_account.id } } };
      created(key.id, key.created_at, actor, ref);
      if (key.last_used_at === null || nowS - key.last_used_at >= 30 * DAY_SECONDS) continue;
      for (let d = 0; d < usageDays; d++) {
        const at = key.last_used_at - d * DAY_SECONDS;
        if (at < key.created_at || nowS - at >= 30 * DAY_SECONDS) break;
        const requests = 1 + ((n + d) % 7);
        usage.push({
          at,
          api_key_id: key.id,
          project_id: project.id,
          user_id: key.owner.type === "user" ? key.owner.user.id : null,
          model: "gpt-4o-mini-2024-07-18",
          input_tokens: 1000 * requests,
          input_cached_tokens: 0,
          output_tokens: 200 * requests,
          num_model_requests: requests,
          input_cost_usd: 1000 * requests * 0.15e-6,
          output_cost_usd: 200 * requests * 0.6e-6,
        });
      }
    }
  }
  return { ...org, auditLogs: events, usage };
}

interface Figures {
  keys: number;
  inventoryRequests: number;
  inventoryMs: number;
  enrichRequests: Record<EnrichSource, number>;
  enrichMs: number;
  auditLogWindows: number;
  parallelAuditLogMs: number;
  sequentialAuditLogMs: number;
  sequentialAuditLogRequests: number;
  steps: number;
  largestStep: number;
  creators: number;
  errors: number;
}

function countBySource(paths: readonly string[]): Record<EnrichSource, number> {
  return {
    audit_log: paths.filter((p) => p.endsWith("/organization/audit_logs")).length,
    usage: paths.filter((p) => p.endsWith("/organization/usage/completions")).length,
    costs: paths.filter((p) => p.endsWith("/organization/costs")).length,
  };
}

async function measure(org: SimOrg, now: Date): Promise<Figures> {
  const sim = await startSimulator({ org, adminKey: ADMIN_KEY, latencyMs: LATENCY_MS });
  try {
    const options = { adminKey: ADMIN_KEY, baseURL: sim.url };
    let started = performance.now();
    const inventory = await collectInventory(options);
    const inventoryMs = performance.now() - started;
    const inventoryRequests = sim.requests.length;

    sim.clearLog();
    started = performance.now();
    const state = await continueEnrichment(startEnrichment(inventory.keys, ENRICH_SOURCES, now), options);
    const enrichMs = performance.now() - started;
    const enrichRequests = countBySource(sim.requests.map((r) => r.path));

    // The audit log alone: in the parallel windows, then in one window (its pages one after the other).
    const parallel = startEnrichment(inventory.keys, ["audit_log"], now);
    started = performance.now();
    await continueEnrichment(parallel, options);
    const parallelAuditLogMs = performance.now() - started;
    sim.clearLog();
    started = performance.now();
    await continueEnrichment(startEnrichment(inventory.keys, ["audit_log"], now, { concurrency: 1 }), options);
    const sequentialAuditLogMs = performance.now() - started;
    const sequentialAuditLogRequests = sim.requests.length;

    // The Workflow: steps of at most STEP_CAP requests each.
    sim.clearLog();
    let stepState = startEnrichment(inventory.keys, ENRICH_SOURCES, now);
    let steps = 0;
    let largestStep = 0;
    while (stepState.units.length > 0) {
      const before = sim.requests.length;
      stepState = await continueEnrichment(stepState, options, STEP_CAP);
      largestStep = Math.max(largestStep, sim.requests.length - before);
      steps++;
    }
    return {
      keys: inventory.keys.length,
      inventoryRequests,
      inventoryMs,
      enrichRequests,
      enrichMs,
      auditLogWindows: parallel.units.length,
      parallelAuditLogMs,
      sequentialAuditLogMs,
      sequentialAuditLogRequests,
      steps,
      largestStep,
      creators: Object.keys(state.creators).length,
      errors: state.errors.length,
    };
  } finally {
    await sim.close();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const now = new Date();
  const sizes: { label: string; org: SimOrg }[] = [
    { label: "sample organization", org: sampleOrg(now) },
    { label: "generated, 300 projects × 5 keys", org: withEnrichmentData(generateOrg({ projects: 300, keysPerProject: 5, users: 250, adminKeys: 10, now, seed: 42 }), now) },
    { label: "generated, 500 projects × 40 keys", org: withEnrichmentData(generateOrg({ projects: 500, keysPerProject: 40, users: 2_000, adminKeys: 20, now, seed: 42 }), now) },
  ];
  console.log(`Enrichment (ENRICH=audit_log,usage,costs), ${LATENCY_MS} ms latency per request, concurrency 6`);
  for (const { label, org } of sizes) {
    const f = await measure(org, now);
    const extra = f.enrichRequests.audit_log + f.enrichRequests.usage + f.enrichRequests.costs;
    console.log(`  ${label}: ${fmt(f.keys)} keys`);
    console.log(`    inventory                 ${fmt(f.inventoryRequests)} requests, ${fmt(f.inventoryMs)} ms`);
    console.log(
      `    enrichment                +${fmt(extra)} requests (+${((extra / f.inventoryRequests) * 100).toFixed(0)}%: audit log ${fmt(f.enrichRequests.audit_log)}, usage ${f.enrichRequests.usage}, costs ${f.enrichRequests.costs}), +${fmt(f.enrichMs)} ms (+${((f.enrichMs / f.inventoryMs) * 100).toFixed(0)}%)`,
    );
    console.log(
      `    audit log alone           ${f.auditLogWindows} window(s) in parallel ${fmt(f.parallelAuditLogMs)} ms; one window ${fmt(f.sequentialAuditLogRequests)} requests, ${fmt(f.sequentialAuditLogMs)} ms (${(f.sequentialAuditLogMs / f.parallelAuditLogMs).toFixed(1)}×)`,
    );
    console.log(`    Workflow                  ${f.steps} enrich step(s) at ≤ ${STEP_CAP} requests, the largest made ${f.largestStep}`);
    console.log(`    creators found            ${fmt(f.creators)} (events of deleted keys included); enrichment errors: ${f.errors}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
