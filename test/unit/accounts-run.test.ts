/**
 * One run over every configured account (issue 19): two OpenAI organizations and one Anthropic
 * organization audited by the Workflow's step bodies, in Node against real SQL and an in-memory R2
 * (as test/unit/audit-steps.test.ts runs them), each organization served by its own simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Config, readConfig, readEnrichSettings } from "../../src/config.js";
import type { AuditRun } from "../../src/model/run.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EnrichmentStore } from "../../src/store/enrichment-state.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import { type AuditContext, type AuditParams, enrichSlice, evaluateAndRecord, inventorySlice, releaseAndCleanUp, storeEvidence } from "../../src/audit/steps.js";
import { loadEnrichedInventory, loadInventory } from "../../src/audit/load-run.js";
import { runAudit } from "../../src/audit/run.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { generateOrg } from "../../src/sim/generate.js";
import { countKeys } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { type MemoryR2, memoryR2 } from "../support/memory-r2.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const US_KEY = "sk-admin-fake-accounts-us-000000000000";
const EU_KEY = "sk-admin-fake-accounts-eu-000000000000";
const CLAUDE_KEY = "sk-ant-admin01-fake-accounts-0000000000";
const LAST = { attempt: 2, last: true };
/** Three accounts of 4 attempts a page each fit one step of 12 requests. */
const STEP_CAP = 12;

const euOrg = () => generateOrg({ projects: 6, keysPerProject: 4, users: 12, adminKeys: 2, now: NOW, seed: 19 });

let us: Simulator;
let eu: Simulator;
let claude: AnthropicSimulator;
let d1: SqliteD1;
let r2: MemoryR2;

beforeAll(async () => {
  [us, eu, claude] = await Promise.all([
    startSimulator({ org: sampleOrg(NOW), adminKey: US_KEY, port: 0 }),
    startSimulator({ org: euOrg(), adminKey: EU_KEY, port: 0 }),
    startAnthropicSimulator({ org: sampleAnthropicOrg(NOW), adminKey: CLAUDE_KEY, now: () => NOW }),
  ]);
});
afterAll(() => Promise.all([us.close(), eu.close(), claude.close()]));
beforeEach(() => {
  us.setOrg(sampleOrg(NOW));
  eu.setOrg(euOrg());
  claude.setOrg(sampleAnthropicOrg(NOW));
  for (const sim of [us, eu, claude]) {
    sim.clearFaults();
    sim.clearLog();
  }
  d1 = sqliteD1();
  r2 = memoryR2();
});

const ACCOUNTS = JSON.stringify([
  { name: "openai-us", provider: "openai", admin_key_secret: "OPENAI_US_ADMIN_KEY" },
  { name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY" },
  { name: "claude", provider: "anthropic", admin_key_secret: "CLAUDE_ADMIN_KEY" },
]);

let runs = 0;

function context(keys: { claude?: string; eu?: string; accounts?: string } = {}): AuditContext {
  runs++;
  const runId = `run_20261123T060000Z_a${String(runs).padStart(5, "0")}`;
  const params: AuditParams = { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: new Date(NOW.getTime() + runs * 1000).toISOString() };
  const accounts = JSON.parse(keys.accounts ?? ACCOUNTS) as { name: string; base_url?: string }[];
  const urls: Record<string, string> = { "openai-us": us.url, "openai-eu": eu.url, claude: claude.url, "claude-prod": claude.url };
  const env = {
    ACCOUNTS: JSON.stringify(accounts.map((a) => ({ ...a, base_url: urls[a.name] }))),
    OPENAI_US_ADMIN_KEY: US_KEY,
    OPENAI_EU_ADMIN_KEY: keys.eu ?? EU_KEY,
    CLAUDE_ADMIN_KEY: keys.claude ?? CLAUDE_KEY,
    CLAUDE_PROD_ADMIN_KEY: keys.claude ?? CLAUDE_KEY,
    AUDIT_SUBREQUESTS_PER_STEP: String(STEP_CAP),
  };
  const settings = (): Config => readConfig(env);
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

const sims = () => [us, eu, claude];
const requestsMade = () => sims().reduce((n, sim) => n + sim.requests.length, 0);

/** What the Workflow does up to the record step, each step's requests checked against what the simulators saw. */
async function runUntilRecorded(ctx: AuditContext): Promise<{ ctx: AuditContext; slices: number; perStep: number[]; run: AuditRun }> {
  await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
  const perStep: number[] = [];
  let slices = 0;
  for (let remaining = 1; remaining > 0; slices++) {
    const before = requestsMade();
    const outcome = await inventorySlice(ctx, slices, LAST);
    if (!("done" in outcome)) throw new Error(`slice ${slices} asked for a retry: ${outcome.retry}`);
    expect(outcome.done.requests).toBe(requestsMade() - before);
    perStep.push(outcome.done.requests);
    remaining = outcome.done.remaining;
  }
  for (let index = 0, remaining = 1; remaining > 0; index++) {
    const before = requestsMade();
    const outcome = await enrichSlice(ctx, slices, index, LAST);
    if (!("done" in outcome)) throw new Error(`enrich ${index} asked for a retry: ${outcome.retry}`);
    expect(outcome.done.requests).toBe(requestsMade() - before);
    perStep.push(outcome.done.requests);
    remaining = outcome.done.remaining;
  }
  await evaluateAndRecord(ctx, slices);
  return { ctx, slices, perStep, run: (await ctx.history.get(ctx.params.run_id)) as AuditRun };
}

const findingsOf = (run: AuditRun, account: string) => run.findings.filter((f) => f.key.account === account);

describe("one run over two OpenAI organizations and one Anthropic organization", () => {
  it("reads every account at once within the step budget, counts each, and names the account of every finding", async () => {
    const ctx = context();
    const { slices, perStep, run } = await runUntilRecorded(ctx);
    expect(run.status, JSON.stringify(run.errors)).toBe("complete");
    expect(Math.max(...perStep)).toBeLessThanOrEqual(STEP_CAP);
    // The first step read all three at once.
    expect(new Set((await ctx.work.parts(1)).map((p) => p.account))).toEqual(new Set(["openai-us", "openai-eu", "claude"]));

    const inventory = await loadInventory(ctx, slices);
    const count = (account: string) => inventory.accounts.find((a) => a.account === account);
    expect(count("openai-us")?.keys).toHaveLength(countKeys(sampleOrg(NOW)).total);
    expect(count("openai-eu")?.keys).toHaveLength(countKeys(euOrg()).total);
    expect(count("claude")?.keys).toHaveLength(sampleAnthropicOrg(NOW).apiKeys.length);
    expect(count("claude")?.projects).toHaveLength(sampleAnthropicOrg(NOW).workspaces.length);
    for (const account of inventory.accounts) {
      expect(account.errors).toEqual([]);
      expect(account.keys.every((k) => k.account === account.account && k.provider === account.provider)).toBe(true);
    }
    expect(run.counts.admin_keys + run.counts.project_keys).toBe(inventory.keys.length);
    expect(run.counts.projects).toBe(sampleOrg(NOW).projects.length + euOrg().projects.length + sampleAnthropicOrg(NOW).workspaces.length);

    // Every finding names its account and provider; each account has its own.
    expect(run.findings.every((f) => ["openai-us", "openai-eu", "claude"].includes(f.key.account ?? ""))).toBe(true);
    for (const account of ["openai-us", "openai-eu", "claude"]) expect(findingsOf(run, account).length, account).toBeGreaterThan(0);
    const claudeUnused = findingsOf(run, "claude").find((f) => f.rule_id === "unused-90d" && f.key.id === "apikey_research_unused");
    expect(claudeUnused).toMatchObject({ key: { provider: "anthropic", account: "claude" }, dashboard_url: expect.stringContaining("console.anthropic.com") });
    // A key used a day ago is no unused finding: its last use was read from the usage analytics.
    expect(run.findings.some((f) => f.rule_id === "unused-90d" && f.key.id === "apikey_prod_web")).toBe(false);

    // The Anthropic keys are enriched like OpenAI's: creator from the listing, requests and spend over 30 days.
    const { inventory: enriched } = await loadEnrichedInventory(ctx, slices);
    const web = enriched.keys.find((k) => k.id === "apikey_prod_web");
    expect(web).toMatchObject({ account: "claude", created_by: { display: "alice@example.com" }, requests_30d: expect.any(Number), spend_30d_usd: expect.any(Number) });
    expect(web?.last_used_at).not.toBeNull();
    expect(run.enrichment_errors).toEqual([]);

    expect(await storeEvidence(ctx, slices, LAST)).toEqual({ done: { stored: true } });
    await releaseAndCleanUp(ctx);
    expect([...r2.objects.keys()].filter((k) => k.startsWith("work/"))).toEqual([]);
  });

  it("an Anthropic account whose key is rejected: the run is incomplete naming it, the others are reported and still resolve", async () => {
    const first = await runUntilRecorded(context());
    expect(first.run.status).toBe("complete");
    await releaseAndCleanUp(first.ctx);

    // Between the runs, a key of openai-eu with findings is deleted: its findings resolve.
    const gone = findingsOf(first.run, "openai-eu")[0]?.key.id as string;
    const org = euOrg();
    for (const [project, keys] of Object.entries(org.projectKeys)) org.projectKeys[project] = keys.filter((k) => k.id !== gone);
    org.adminKeys = org.adminKeys.filter((k) => k.id !== gone);
    eu.setOrg(org);

    const { run } = await runUntilRecorded(context({ claude: "sk-ant-admin01-wrong-key-000000000000" }));
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ account: "claude", kind: "auth", status: 401, message: expect.stringMatching(/^Anthropic account "claude": .*rejected the admin key/) })]);
    expect(JSON.stringify(run)).not.toContain("wrong-key");
    expect(findingsOf(run, "claude")).toEqual([]);
    expect(findingsOf(run, "openai-us").length).toBe(findingsOf(first.run, "openai-us").length);
    const resolved = run.lifecycle?.resolved_findings ?? [];
    expect(resolved.map((r) => r.key_id)).toContain(gone);
    // Claude's findings were not seen, not fixed: none of them is resolved.
    const claudeFingerprints = new Set(findingsOf(first.run, "claude").map((f) => f.fingerprint));
    expect(claudeFingerprints.size).toBeGreaterThan(0);
    expect(resolved.filter((r) => claudeFingerprints.has(r.fingerprint))).toEqual([]);
    expect(resolved.every((r) => findingsOf(first.run, "openai-eu").some((f) => f.fingerprint === r.fingerprint))).toBe(true);
  });

  it("usage that cannot be read: incomplete with that reason, and no unused finding guessed for the account", async () => {
    const first = await runUntilRecorded(context());
    await releaseAndCleanUp(first.ctx);
    claude.setOrg({ ...sampleAnthropicOrg(NOW), analyticsUnavailable: true });

    const { run } = await runUntilRecorded(context());
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([
      expect.objectContaining({
        account: "claude",
        scope: { list: "usage" },
        where: "usage analytics (each key's last use)",
        message: expect.stringMatching(/^the usage analytics could not be read: Anthropic account "claude": analytics usage .*HTTP 400.*no unused rule can judge them$/),
      }),
    ]);
    expect(findingsOf(run, "claude").filter((f) => f.rule_kind === "unused")).toEqual([]);
    // The other rules still judge the account's keys, and the OpenAI accounts are judged as ever.
    expect(findingsOf(run, "claude").length).toBeGreaterThan(0);
    expect(findingsOf(run, "openai-us").some((f) => f.rule_kind === "unused")).toBe(true);
    // The unused findings of claude were not seen because they could not be judged: none resolves.
    const claudeUnused = new Set(findingsOf(first.run, "claude").filter((f) => f.rule_kind === "unused").map((f) => f.fingerprint));
    expect(claudeUnused.size).toBeGreaterThan(0);
    expect((run.lifecycle?.resolved_findings ?? []).filter((r) => claudeUnused.has(r.fingerprint))).toEqual([]);
  });

  it("fails only when no account could be read", async () => {
    const some = await runUntilRecorded(context({ claude: "sk-ant-admin01-wrong-key-000000000000", eu: "sk-admin-fake-wrong-eu-0000000000000" }));
    expect(some.run.status).toBe("incomplete");
    expect(some.run.errors.map((e) => e.account).sort()).toEqual(["claude", "openai-eu"]);
    expect(findingsOf(some.run, "openai-us").length).toBeGreaterThan(0);
    await releaseAndCleanUp(some.ctx);

    us.setOrg({ ...sampleOrg(NOW), adminKeys: [], projects: [], projectKeys: {} });
    us.addFault({ match: { path: "/organization/admin_api_keys" }, effect: { kind: "status", status: 401 } });
    const none = await runUntilRecorded(context({ claude: "sk-ant-admin01-wrong-key-000000000000", eu: "sk-admin-fake-wrong-eu-0000000000000" }));
    expect(none.run.status).toBe("failed");
    expect(none.run.failure?.reason).toMatch(/^no account could be read: openai-us: .*HTTP 401.*; openai-eu: .*HTTP 401.*; claude: Anthropic account "claude": .*HTTP 401/);
  });

  it("an unused rule longer than the usage the API keeps: the older keys are undecided, named by rule and account, and the run is incomplete", async () => {
    const text = "version: 1\nname: long\nrules:\n  - id: unused-400d\n    kind: unused\n    days: 400\n    severity: high\n";
    // A key created 700 days ago, active, with no usage at all.
    const org = sampleAnthropicOrg(NOW);
    claude.setOrg({ ...org, usage: org.usage.filter((u) => u.api_key_id !== "apikey_legacy_nobody") });
    const settings = context().settings().accounts;
    const run = await runAudit({ config: {}, accounts: settings, policy: { name: "long", file: "long.yaml", text }, trigger: "cli", now: () => NOW });
    expect(run.status).toBe("incomplete");
    // Nothing before 2026-01-01: 326 days of usage, fewer than the rule's 400.
    expect(run.errors).toEqual([
      expect.objectContaining({
        account: "claude",
        kind: "undecided",
        scope: { list: "usage" },
        message: expect.stringMatching(/^rule unused-400d could not judge \d+ keys? \(.*apikey_legacy_nobody.*\): no use since 2026-01-01, .*fewer than the rule's 400/),
      }),
    ]);
    expect(findingsOf(run, "claude").some((f) => f.key.id === "apikey_legacy_nobody")).toBe(false);
  });

  it("resolves nothing of an account it did not read: renamed in ACCOUNTS and failing under its new name, or dropped from ACCOUNTS", async () => {
    const first = await runUntilRecorded(context());
    expect(first.run.status).toBe("complete");
    await releaseAndCleanUp(first.ctx);
    const claudeFindings = new Set(findingsOf(first.run, "claude").map((f) => f.fingerprint));
    expect(claudeFindings.size).toBeGreaterThan(0);
    const resolvedOfClaude = (run: AuditRun) => (run.lifecycle?.resolved_findings ?? []).filter((r) => claudeFindings.has(r.fingerprint));

    // Renamed (same organization) and its key refused this week: incomplete, naming only the new name.
    const renamed = JSON.stringify([...JSON.parse(ACCOUNTS).slice(0, 2), { name: "claude-prod", provider: "anthropic", admin_key_secret: "CLAUDE_PROD_ADMIN_KEY" }]);
    const second = await runUntilRecorded(context({ accounts: renamed, claude: "sk-ant-admin01-wrong-key-000000000000" }));
    expect(second.run.status).toBe("incomplete");
    expect(second.run.errors.map((e) => e.account)).toEqual(["claude-prod"]);
    expect(resolvedOfClaude(second.run)).toEqual([]);
    await releaseAndCleanUp(second.ctx);

    // Dropped: a complete run of the two others says nothing of the third's findings as resolved.
    const third = await runUntilRecorded(context({ accounts: JSON.stringify(JSON.parse(ACCOUNTS).slice(0, 2)) }));
    expect(third.run.status).toBe("complete");
    expect(resolvedOfClaude(third.run)).toEqual([]);
    // The two accounts it read still resolve what is gone from them.
    expect(third.run.lifecycle?.resolved_findings.every((r) => !claudeFindings.has(r.fingerprint))).toBe(true);
  });
});
