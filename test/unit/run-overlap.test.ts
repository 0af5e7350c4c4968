/**
 * The enrichment overlaps the inventory (issue 19, Speed; src/audit/run-slice.ts): its reports go out
 * with the inventory's first requests, the audit log as soon as an account's keys are known, every
 * account is read in the fewest requests, and the results are those of the inventory first and the
 * enrichment after: in one go (CLI, demo) and in the Workflow's steps, where one step may carry both.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withEnrichmentData } from "../../scripts/bench-enrichment.js";
import { enrichKeys } from "../../src/audit/enrich.js";
import { loadEnrichedInventory } from "../../src/audit/load-run.js";
import { type PolicySource, checkPolicy, concludeRun, runAuditWithInventory } from "../../src/audit/run.js";
import { type AuditContext, type AuditParams, enrichSlice, evaluateAndRecord, inventorySlice } from "../../src/audit/steps.js";
import type { AccountSettings } from "../../src/config.js";
import { type Config, readConfig, readEnrichSettings } from "../../src/config.js";
import { applyEnrichment } from "../../src/enrichment/apply.js";
import { auditLogWindows } from "../../src/enrichment/plan.js";
import { ENRICH_SOURCES } from "../../src/model/enrichment.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import type { AuditRun } from "../../src/model/run.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { collectInventory } from "../../src/providers/openai/collect.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { generateOrg } from "../../src/sim/generate.js";
import type { SimOrg } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EnrichmentStore } from "../../src/store/enrichment-state.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import { minimumAuditLogRequests, minimumRequests } from "../sim/minimum-requests.js";
import { memoryR2 } from "../support/memory-r2.js";
import { sqliteD1 } from "../support/sqlite-d1.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const KEY = "sk-admin-fake-overlap-000000000000000";
const SECOND_KEY = "sk-admin-fake-overlap-second-0000000000";
const CLAUDE_KEY = "sk-ant-admin01-fake-overlap-000000000000";
const POLICY: PolicySource = { name: "sample-org", file: "test/sim/sample-policy.yaml", text: readFileSync("test/sim/sample-policy.yaml", "utf8") };
const ENRICHMENT_PATH = /\/organization\/(audit_logs|usage\/completions|costs)$/;
const LAST = { attempt: 2, last: true };

const orgOf = (seed: number): SimOrg => withEnrichmentData(generateOrg({ projects: 40, keysPerProject: 6, users: 30, adminKeys: 3, now: NOW, seed }), NOW);

let sim: Simulator;
let second: Simulator;
let claude: AnthropicSimulator;
beforeAll(async () => {
  // Every answer held back 10 ms, so that the order of the requests says what overlapped.
  [sim, second, claude] = await Promise.all([
    startSimulator({ org: orgOf(7), adminKey: KEY, latencyMs: 10 }),
    startSimulator({ org: orgOf(8), adminKey: SECOND_KEY, latencyMs: 10 }),
    startAnthropicSimulator({ org: sampleAnthropicOrg(NOW), adminKey: CLAUDE_KEY, latencyMs: 10, now: () => NOW }),
  ]);
});
afterAll(() => Promise.all([sim.close(), second.close(), claude.close()]));
beforeEach(() => {
  sim.setOrg(orgOf(7));
  for (const s of [sim, second, claude]) {
    s.clearLog();
    s.clearFaults();
  }
});

const byId = (keys: readonly KeyRecord[]) => [...keys].sort((a, b) => a.id.localeCompare(b.id));
const inOneGo = (accounts?: AccountSettings[]) =>
  runAuditWithInventory({ config: { adminKey: KEY, baseURL: sim.url }, ...(accounts ? { accounts } : {}), policy: POLICY, trigger: "cli", now: () => NOW, enrich: ENRICH_SOURCES });

describe("in one go", () => {
  it("sends the reports with the inventory's first requests, the audit log once the keys are known, and no request more than the fewest", async () => {
    const { run, inventory } = await inOneGo();
    expect(run.status).toBe("complete");
    const log = sim.requests;
    const isEnrichment = (path: string) => ENRICHMENT_PATH.test(path);
    const lastInventory = log.findLastIndex((r) => !isEnrichment(r.path));
    // The reports go out while the inventory is still reading its first pages; the audit log after the last key list.
    for (const path of ["/v1/organization/usage/completions", "/v1/organization/costs"]) expect(log.findIndex((r) => r.path === path)).toBeLessThan(6);
    expect(log.findIndex((r) => r.path === "/v1/organization/audit_logs")).toBeGreaterThan(lastInventory);
    expect(log.findIndex((r) => isEnrichment(r.path))).toBeLessThan(lastInventory);
    expect(sim.maxConcurrent).toBeLessThanOrEqual(6);

    // The fewest requests: Σ⌈items/page size⌉ for the inventory, each audit-log window, one page each report.
    const org = orgOf(7);
    const count = (path: string) => log.filter((r) => r.path === path).length;
    expect(log.filter((r) => !isEnrichment(r.path))).toHaveLength(minimumRequests(org));
    expect(count("/v1/organization/audit_logs")).toBe(minimumAuditLogRequests(org, auditLogWindows(inventory?.keys ?? [], 6) as { gte: number; lt: number | null }[]));
    expect([count("/v1/organization/usage/completions"), count("/v1/organization/costs")]).toEqual([1, 1]);
    expect(run.enrichment).toEqual({ sources: ["audit_log", "usage", "costs"], api_requests: log.filter((r) => isEnrichment(r.path)).length });
  });

  it("gives what the inventory, then the enrichment of its keys, give: the same keys, facts, findings and enrichment", async () => {
    const { run, inventory } = await inOneGo();
    const options = { adminKey: KEY, baseURL: sim.url };
    const seen = await collectInventory(options);
    const enrichment = await enrichKeys(seen.keys, ENRICH_SOURCES, NOW, options);
    const keys = applyEnrichment(seen.keys, enrichment);
    expect(byId(inventory?.keys ?? [])).toEqual(byId(keys));

    const checked = checkPolicy(POLICY);
    if (!checked.ok) throw new Error("the sample policy is invalid");
    const base = { id: run.id, trigger: run.trigger, started_at: run.started_at };
    const expected = concludeRun({ base, policy: checked, inventory: { ...seen, keys }, evaluatedAt: NOW, finishedAt: NOW, secrets: [KEY], enrichment });
    expect(run).toEqual(expected);
  });

  it("over several accounts: each enriched as alone, one whose key is refused without enrichment, 6 in flight for all of them", async () => {
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const accounts: AccountSettings[] = [
      { name: "first", provider: "openai", adminKeySecret: "FIRST", adminKey: KEY, baseUrl: sim.url },
      { name: "second", provider: "openai", adminKeySecret: "SECOND", adminKey: SECOND_KEY, baseUrl: second.url },
      { name: "claude", provider: "anthropic", adminKeySecret: "CLAUDE", adminKey: "sk-ant-admin01-wrong-key-000000000000", baseUrl: claude.url },
    ];
    const { run, inventory } = await runAuditWithInventory({ config: { fetch: counting }, accounts, policy: POLICY, trigger: "cli", now: () => NOW, enrich: ENRICH_SOURCES });
    expect(most).toBe(6);
    expect(run.status).toBe("incomplete");
    expect(run.errors.map((e) => [e.account, e.status])).toEqual([["claude", 401]]);
    // The refused account has no enrichment to report: its errors are not the run's.
    expect(run.enrichment_errors).toEqual([]);
    for (const [account, baseURL, adminKey] of [
      ["first", sim.url, KEY],
      ["second", second.url, SECOND_KEY],
    ] as const) {
      const alone = await collectInventory({ adminKey, baseURL });
      const enriched = applyEnrichment(alone.keys, await enrichKeys(alone.keys, ENRICH_SOURCES, NOW, { adminKey, baseURL }));
      const own = inventory?.keys.filter((k) => k.account === account) ?? [];
      expect(byId(own).map(({ provider: _p, account: _a, ...key }) => key)).toEqual(byId(enriched));
    }
  });
});

describe("in the Workflow's steps", () => {
  function context(cap: number): AuditContext {
    const runId = `run_20261123T060000Z_o${String(cap).padStart(5, "0")}`;
    const params: AuditParams = { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: NOW.toISOString() };
    const d1 = sqliteD1();
    const r2 = memoryR2();
    const settings = (): Config => readConfig({ OPENAI_ADMIN_KEY: KEY, OPENAI_BASE_URL: sim.url, AUDIT_SUBREQUESTS_PER_STEP: String(cap) });
    return {
      params,
      history: new RunHistory(d1.db),
      acceptances: new AcceptanceStore(d1.db),
      remediations: new RemediationStore(d1.db),
      work: new WorkStore(r2.bucket, runId),
      enrichment: { store: new EnrichmentStore(r2.bucket, runId), sources: () => readEnrichSettings({}) },
      evidence: new EvidenceStore(r2.bucket),
      settings,
      now: () => NOW,
      policy: bundledPolicy,
    };
  }

  /** Every step as the Workflow runs them: the requests each made, by kind. */
  async function steps(ctx: AuditContext): Promise<{ slices: number; inventorySteps: string[][]; enrichSteps: number[]; run: AuditRun }> {
    await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
    const inventorySteps: string[][] = [];
    let slices = 0;
    for (let remaining = 1; remaining > 0; slices++) {
      const before = sim.requests.length;
      const outcome = await inventorySlice(ctx, slices, LAST);
      if (!("done" in outcome)) throw new Error(`inventory ${slices} asked for a retry: ${outcome.retry}`);
      expect(outcome.done.requests).toBe(sim.requests.length - before);
      inventorySteps.push(sim.requests.slice(before).map((r) => r.path));
      remaining = outcome.done.remaining;
    }
    const enrichSteps: number[] = [];
    for (let index = 0, remaining = 1; remaining > 0; index++) {
      const outcome = await enrichSlice(ctx, slices, index, LAST);
      if (!("done" in outcome)) throw new Error(`enrich ${index} asked for a retry: ${outcome.retry}`);
      enrichSteps.push(outcome.done.requests);
      remaining = outcome.done.remaining;
    }
    await evaluateAndRecord(ctx, slices);
    return { slices, inventorySteps, enrichSteps, run: (await ctx.history.get(ctx.params.run_id)) as AuditRun };
  }

  it("carry the enrichment in the inventory's steps, within each step's request cap, and give what one go gives", async () => {
    const cap = 30;
    const ctx = context(cap);
    const { slices, inventorySteps, run } = await steps(ctx);
    expect(inventorySteps.length).toBeGreaterThan(1);
    expect(Math.max(...inventorySteps.map((s) => s.length))).toBeLessThanOrEqual(cap);
    // The first step reads the reports beside the inventory's first pages.
    expect(inventorySteps[0]).toEqual(expect.arrayContaining(["/v1/organization/usage/completions", "/v1/organization/costs"]));
    expect(inventorySteps[0]?.some((path) => !ENRICHMENT_PATH.test(path))).toBe(true);
    expect(run.status).toBe("complete");
    expect(run.enrichment_errors).toEqual([]);
    expect(run.enrichment?.api_requests).toBe(sim.requests.filter((r) => ENRICHMENT_PATH.test(r.path)).length);

    const { inventory } = await loadEnrichedInventory(ctx, slices);
    sim.clearLog();
    const oneGo = await runAuditWithInventory({ config: { adminKey: KEY, baseURL: sim.url }, policy: bundledPolicy("default") as PolicySource, trigger: "http", now: () => NOW, enrich: ENRICH_SOURCES });
    expect(byId(inventory.keys)).toEqual(byId(oneGo.inventory?.keys ?? []));
    expect(run.findings.map((f) => `${f.fingerprint} ${f.sentence}`).sort()).toEqual(oneGo.run.findings.map((f) => `${f.fingerprint} ${f.sentence}`).sort());
  });

  it("the sample organization: one step reads its inventory and its whole enrichment, none is left for an enrich step", async () => {
    sim.setOrg(sampleOrg(NOW));
    const { inventorySteps, enrichSteps, run } = await steps(context(45));
    expect(inventorySteps).toHaveLength(1);
    expect(inventorySteps[0]?.filter((path) => ENRICHMENT_PATH.test(path)).sort()).toEqual(["/v1/organization/audit_logs", "/v1/organization/costs", "/v1/organization/usage/completions"]);
    expect(enrichSteps).toEqual([0]);
    expect(run.enrichment).toEqual({ sources: ["audit_log", "usage", "costs"], api_requests: 3 });
  });
});
