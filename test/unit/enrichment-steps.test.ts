/**
 * The Workflow's enrichment (src/audit/steps.ts: carried by inventorySlice, then enrichSlice, recordEnrichmentFailure),
 * run in Node against real SQL and an in-memory R2, as test/unit/audit-steps.test.ts runs the others:
 * the per-step request budget, the state carried in R2, and failures that never fail the run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withEnrichmentData } from "../../scripts/bench-enrichment.js";
import type { AuditRun } from "../../src/model/run.js";
import { type Config, readConfig } from "../../src/config.js";
import { readEnrichSettings } from "../../src/config.js";
import { EnrichmentStore } from "../../src/store/enrichment-state.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import {
  type AuditContext,
  type AuditParams,
  enrichSlice,
  evaluateAndRecord,
  inventorySlice,
  recordEnrichmentFailure,
  releaseAndCleanUp,
  storeEvidence,
} from "../../src/audit/steps.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { generateOrg } from "../../src/sim/generate.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { parseCsv } from "../support/csv-parse.js";
import { type MemoryR2, memoryR2 } from "../support/memory-r2.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

const ADMIN_KEY = "sk-admin-fake-enrichment-steps-00000000";
const NOW = new Date("2026-11-23T06:00:00Z");
const FIRST = { attempt: 1, last: false };
const LAST = { attempt: 2, last: true };
const STEP_CAP = 10;

let sim: Simulator;
let d1: SqliteD1;
let r2: MemoryR2;

beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY, port: 0 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleOrg(NOW));
  sim.clearFaults();
  sim.clearLog();
  d1 = sqliteD1();
  r2 = memoryR2();
});

let runs = 0;

function context(env: Record<string, string> = {}): AuditContext {
  runs++;
  const runId = `run_20261123T060000Z_e${String(runs).padStart(5, "0")}`;
  const params: AuditParams = { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: new Date(NOW.getTime() + runs * 1000).toISOString() };
  const settings = (): Config => readConfig({ OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, AUDIT_SUBREQUESTS_PER_STEP: String(STEP_CAP) });
  return {
    params,
    history: new RunHistory(d1.db),
    acceptances: new AcceptanceStore(d1.db),
    remediations: new RemediationStore(d1.db),
    work: new WorkStore(r2.bucket, runId),
    enrichment: { store: new EnrichmentStore(r2.bucket, runId), sources: () => readEnrichSettings(env) },
    evidence: new EvidenceStore(r2.bucket),
    settings,
    now: () => NOW,
    policy: bundledPolicy,
  };
}

/** The run row and every inventory slice; the number of slices. */
async function inventory(ctx: AuditContext): Promise<number> {
  await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
  let slices = 0;
  for (let remaining = 1; remaining > 0; slices++) {
    const outcome = await inventorySlice(ctx, slices, LAST);
    if (!("done" in outcome)) throw new Error(`slice ${slices} asked for a retry: ${outcome.retry}`);
    remaining = outcome.done.remaining;
  }
  return slices;
}

/** Every enrichment step as the Workflow runs them, with the Admin API requests each made. */
async function enrich(ctx: AuditContext, slices: number, attempt = LAST): Promise<number[]> {
  const perStep: number[] = [];
  for (let index = 0, remaining = 1; remaining > 0; index++) {
    const before = sim.requests.length;
    const outcome = await enrichSlice(ctx, slices, index, attempt);
    if (!("done" in outcome)) throw new Error(`enrich ${index} asked for a retry: ${outcome.retry}`);
    expect(outcome.done.requests).toBe(sim.requests.length - before);
    perStep.push(outcome.done.requests);
    remaining = outcome.done.remaining;
  }
  return perStep;
}

const enrichmentRequests = () => sim.requests.filter((r) => /\/organization\/(audit_logs|usage\/completions|costs)$/.test(r.path));

async function recorded(ctx: AuditContext): Promise<AuditRun> {
  return (await ctx.history.get(ctx.params.run_id)) as AuditRun;
}

describe("enrich steps", () => {
  it("stay within AUDIT_SUBREQUESTS_PER_STEP, carry their state in R2, and give the run and its evidence what they read", async () => {
    sim.setOrg(withEnrichmentData(generateOrg({ projects: 40, keysPerProject: 15, users: 50, adminKeys: 3, now: NOW, seed: 11 }), NOW));
    const ctx = context();
    const slices = await inventory(ctx);
    const duringInventory = enrichmentRequests().length;
    sim.clearLog();
    const perStep = await enrich(ctx, slices);
    expect(perStep.length).toBeGreaterThan(1);
    expect(Math.max(...perStep)).toBeLessThanOrEqual(STEP_CAP);
    expect(sim.requests.every((r) => /\/organization\/(audit_logs|usage\/completions|costs)$/.test(r.path))).toBe(true);
    expect(await evaluateAndRecord(ctx, slices)).toMatchObject({ status: "complete" });

    const run = await recorded(ctx);
    // Started with the inventory: the requests its steps carried, then the enrich steps'.
    expect(run.enrichment).toEqual({ sources: ["audit_log", "usage", "costs"], api_requests: duringInventory + sim.requests.length });
    expect(run.enrichment_errors).toEqual([]);
    expect(run.findings.length).toBeGreaterThan(0);
    for (const f of run.findings) {
      expect(f.key.created_by?.display, f.key.id).toBeTruthy();
      expect(typeof f.key.requests_30d).toBe("number");
    }

    await storeEvidence(ctx, slices, LAST);
    const prefix = run.evidence?.prefix ?? (await recorded(ctx)).evidence?.prefix;
    const csv = new TextDecoder().decode(r2.objects.get(`${prefix}inventory.csv`));
    const [header, ...rows] = parseCsv(csv);
    const createdBy = header!.indexOf("created_by");
    expect(rows.length).toBe(run.counts.admin_keys + run.counts.project_keys);
    for (const row of rows) expect(row[createdBy], row[header!.indexOf("key_id")]).not.toBe("");

    await releaseAndCleanUp(ctx);
    expect([...r2.objects.keys()].filter((k) => k.startsWith(`work/${ctx.params.run_id}/`))).toEqual([]);
  });

  it("ask for another attempt on a wait the client deferred, keep it on the last, and the run stays complete", async () => {
    sim.addFault({ match: { path: "/organization/costs" }, effect: { kind: "status", status: 429, retryAfter: 3600 } });
    const ctx = context();
    const slices = await inventory(ctx);
    expect(await enrichSlice(ctx, slices, 0, FIRST)).toEqual({ retry: expect.stringMatching(/^enrichment: costs .* answered HTTP 429.*exceeds the 30 s cap/) });
    await enrich(ctx, slices, LAST);
    expect(await evaluateAndRecord(ctx, slices)).toMatchObject({ status: "complete" });
    const run = await recorded(ctx);
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([{ source: "costs", kind: "http", status: 429, message: expect.stringMatching(/^spend unavailable: .*exceeds the 30 s cap/) }]);
    expect(run.findings.every((f) => f.key.spend_30d_usd === null && typeof f.key.requests_30d === "number")).toBe(true);
  });

  it("keep a failure the client already retried to the end at once (no retries on top of retries), and the run stays complete", async () => {
    sim.addFault({ match: { path: "/organization/costs" }, effect: { kind: "status", status: 503, retryAfter: 0 } });
    const ctx = context();
    const slices = await inventory(ctx);
    sim.clearLog();
    await enrich(ctx, slices, FIRST);
    expect(sim.requests.filter((r) => r.path === "/v1/organization/costs")).toHaveLength(4);
    expect(await evaluateAndRecord(ctx, slices)).toMatchObject({ status: "complete" });
    const run = await recorded(ctx);
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([{ source: "costs", kind: "http", status: 503, message: expect.stringMatching(/^spend unavailable: .*gave up after 4 attempts/) }]);
    expect(run.findings.every((f) => f.key.spend_30d_usd === null && typeof f.key.requests_30d === "number")).toBe(true);
  });

  it("that fail for good leave the run complete, its findings as they are, and say once that enrichment was unavailable", async () => {
    const plain = context({ ENRICH: "off" });
    await enrich(plain, await inventory(plain));
    await evaluateAndRecord(plain, 1);
    const expected = (await recorded(plain)).findings.map((f) => `${f.rule_id} ${f.key.id} ${f.sentence}`);
    await releaseAndCleanUp(plain);

    // The inventory step that carries the enrichment keeps its failure to itself: said on the run, the step done.
    r2.failOn("put", /enrich-state/);
    const ctx = context();
    const slices = await inventory(ctx);
    expect(await enrich(ctx, slices)).toEqual([0]);
    expect(await evaluateAndRecord(ctx, slices)).toMatchObject({ status: "complete" });
    const run = await recorded(ctx);
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([
      { source: "enrichment", kind: "step_failed", message: expect.stringMatching(/^enrichment unavailable: the enrichment step failed: R2 put failed/) },
    ]);
    expect(run.findings.map((f) => `${f.rule_id} ${f.key.id} ${f.sentence}`)).toEqual(expected);
    expect(run.findings.every((f) => f.key.created_by === null && f.key.spend_30d_usd === null)).toBe(true);
  });

  it("an enrich step that fails for good is recorded by the Workflow's own step, the run complete", async () => {
    sim.setOrg(withEnrichmentData(generateOrg({ projects: 40, keysPerProject: 15, users: 50, adminKeys: 3, now: NOW, seed: 11 }), NOW));
    const ctx = context();
    const slices = await inventory(ctx);
    r2.failOn("put", new RegExp(`/enrich-state-${slices}\\.json$`));
    const error = await enrichSlice(ctx, slices, 0, LAST).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    await recordEnrichmentFailure(ctx, error);
    expect(await evaluateAndRecord(ctx, slices)).toMatchObject({ status: "complete" });
    const run = await recorded(ctx);
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([
      { source: "enrichment", kind: "step_failed", message: expect.stringMatching(/^enrichment unavailable: the enrichment step failed: R2 put failed/) },
    ]);
    expect(run.findings.every((f) => f.key.created_by === null && f.key.spend_30d_usd === null)).toBe(true);
  });

  it("ENRICH=off: not one enrichment request, no enrichment on the run; a bad ENRICH: said once, nothing requested", async () => {
    const off = context({ ENRICH: "off" });
    const slices = await inventory(off);
    sim.clearLog();
    expect(await enrich(off, slices)).toEqual([0]);
    await evaluateAndRecord(off, slices);
    expect(sim.requests).toEqual([]);
    const run = await recorded(off);
    expect(run.enrichment).toBeUndefined();
    expect("created_by" in (run.findings[0]?.key ?? {})).toBe(false);
    await releaseAndCleanUp(off);

    const bad = context({ ENRICH: "usage,creator" });
    await enrich(bad, await inventory(bad));
    expect(await evaluateAndRecord(bad, 1)).toMatchObject({ status: "complete" });
    expect(sim.requests.filter((r) => !r.path.includes("/api_keys") && !/(admin_api_keys|projects|users)$/.test(r.path))).toEqual([]);
    expect((await recorded(bad)).enrichment_errors).toEqual([
      {
        source: "enrichment",
        kind: "settings",
        message: expect.stringMatching(/^enrichment unavailable: invalid configuration \(1 problem\): ENRICH item 2 is not a source: use audit_log, usage, costs \(comma-separated\), or off — fix: /),
      },
    ]);
  });
});
