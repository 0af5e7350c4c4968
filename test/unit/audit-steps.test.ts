/**
 * The Workflow's step bodies, run in Node against real SQL (node:sqlite with the migrations) and an
 * in-memory R2: the paths that are slow or impossible to reach inside workerd.
 */
import { RemediationStore } from "../../src/store/remediations.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Config, readConfig } from "../../src/config.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import {
  type AuditContext,
  type AuditParams,
  evaluateAndRecord,
  inventorySlice,
  recordFailure,
  releaseAndCleanUp,
  storeEvidence,
} from "../../src/audit/steps.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { DEFAULT_RETRY_POLICY } from "../../src/util/retry.js";
import { generateOrg } from "../../src/sim/generate.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { type MemoryR2, memoryR2 } from "../support/memory-r2.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

const ADMIN_KEY = "sk-admin-fake-audit-steps-0000000000";
const NOW = new Date("2026-11-23T06:00:00Z");
const FIRST = { attempt: 1, last: false };
const LAST = { attempt: 3, last: true };

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
  d1 = sqliteD1();
  r2 = memoryR2();
});

let runs = 0;

function context(overrides: Partial<AuditContext> & { env?: Record<string, string> } = {}): AuditContext {
  runs++;
  const runId = `run_20261123T060000Z_${String(runs).padStart(6, "0")}`;
  const params: AuditParams = { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: new Date(NOW.getTime() + runs * 1000).toISOString() };
  const settings = (): Config =>
    readConfig({ OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, AUDIT_SUBREQUESTS_PER_STEP: "10", ...overrides.env });
  return {
    params,
    history: new RunHistory(d1.db),
    acceptances: new AcceptanceStore(d1.db),
    remediations: new RemediationStore(d1.db),
    work: new WorkStore(r2.bucket, runId),
    evidence: new EvidenceStore(r2.bucket),
    settings,
    now: () => NOW,
    policy: bundledPolicy,
    ...overrides,
  };
}

/** What the Workflow does up to the record step: start the run row, then every slice in order. */
async function runUntilRecorded(ctx: AuditContext, attempt = LAST): Promise<{ slices: number; status: string }> {
  await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
  let slices = 0;
  for (let remaining = 1; remaining > 0; slices++) {
    const outcome = await inventorySlice(ctx, slices, attempt);
    if (!("done" in outcome)) throw new Error(`slice ${slices} asked for a retry: ${outcome.retry}`);
    remaining = outcome.done.remaining;
  }
  const { status } = await evaluateAndRecord(ctx, slices);
  return { slices, status };
}

describe("inventory slices", () => {
  it("ask to be tried again for a wait the client deferred (a Retry-After above its cap), and keep it as an error only on the last attempt", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 429, retryAfter: 3600 } });
    const ctx = context();
    await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
    let outcome = await inventorySlice(ctx, 0, FIRST);
    let i = 0;
    while ("done" in outcome && outcome.done.remaining > 0) outcome = await inventorySlice(ctx, ++i, FIRST);
    expect(outcome).toEqual({ retry: expect.stringMatching(/^1 failure\(s\) to wait out, first: .*proj_ml.*exceeds the 30 s cap/) });
    outcome = await inventorySlice(ctx, i, LAST);
    while ("done" in outcome && outcome.done.remaining > 0) outcome = await inventorySlice(ctx, ++i, LAST);
    expect(outcome).toMatchObject({ done: { remaining: 0 } });
    expect(await evaluateAndRecord(ctx, i + 1)).toMatchObject({ status: "incomplete" });
    expect((await ctx.history.get(ctx.params.run_id))?.errors).toMatchObject([{ kind: "http", status: 429, where: expect.stringContaining("proj_ml") }]);
  });

  it("keep a failure the client already retried to the end as an error at once: the step is not tried again (no retries on top of retries)", async () => {
    const page = "/organization/projects/proj_ml/api_keys";
    sim.addFault({ match: { path: page }, effect: { kind: "status", status: 503, retryAfter: 0 } });
    sim.clearLog();
    const ctx = context();
    const { status } = await runUntilRecorded(ctx, FIRST);
    expect(status).toBe("incomplete");
    const run = await ctx.history.get(ctx.params.run_id);
    expect(run?.errors).toMatchObject([{ kind: "http", status: 503, message: expect.stringContaining(`gave up after ${DEFAULT_RETRY_POLICY.maxAttempts} attempts`) }]);
    expect(sim.requests.filter((r) => r.path === `/v1${page}`)).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });

  it("lose no error of an early, a middle or the last slice: the run is incomplete and names each part", async () => {
    const org = generateOrg({ projects: 30, keysPerProject: 3, users: 20, adminKeys: 2, now: NOW, seed: 7 });
    sim.setOrg(org);
    const projects = org.projects.map((p) => p.id);
    const ctx = context();
    // A slice is 10 requests here; the organization needs ~35, so these land in the first, a middle and the last slice.
    for (const project of [projects[0], projects[14], projects[29]]) {
      // Malformed JSON is not retried: the slice keeps the error at once.
      sim.addFault({ match: { path: `/organization/projects/${project}/api_keys` }, effect: { kind: "malformed_json" } });
    }
    const { slices, status } = await runUntilRecorded(ctx, FIRST);
    expect(slices).toBeGreaterThanOrEqual(3);
    expect(status).toBe("incomplete");
    const run = await ctx.history.get(ctx.params.run_id);
    const where = (run?.errors ?? []).map((e) => e.where).join("\n");
    for (const id of [projects[0], projects[14], projects[29]]) expect(where).toContain(`(${id})`);
    expect(run?.errors).toHaveLength(3);
  });
});

describe("store evidence", () => {
  it("stores chained evidence for a recorded run and records where it is", async () => {
    const first = context();
    const { slices } = await runUntilRecorded(first);
    expect(await storeEvidence(first, slices, FIRST)).toEqual({ done: { stored: true } });
    await releaseAndCleanUp(first);
    const second = context();
    const again = await runUntilRecorded(second);
    expect(await storeEvidence(second, again.slices, FIRST)).toEqual({ done: { stored: true } });
    const [a, b] = [await first.history.get(first.params.run_id), await second.history.get(second.params.run_id)];
    const manifest = JSON.parse(new TextDecoder().decode(r2.objects.get(`${b?.evidence?.prefix}manifest.json`)));
    expect(manifest.previous_manifest_sha256).toBe(a?.evidence?.manifest_sha256);
  });

  it("refuses a policy that changed since the run was evaluated (a deploy mid-run), and records that at the last attempt", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = context();
    const { slices } = await runUntilRecorded(ctx);
    const deployed = bundledPolicy("default");
    const changed = context({ ...ctx, policy: (name) => (deployed && name === "default" ? { ...deployed, text: `${deployed.text}\n# edited\n` } : undefined) });
    expect(await storeEvidence(changed, slices, FIRST)).toEqual({ retry: expect.stringContaining("changed since the run was evaluated") });
    expect(await storeEvidence(changed, slices, LAST)).toEqual({ done: { stored: false } });
    expect((await ctx.history.get(ctx.params.run_id))?.evidence).toMatchObject({ stored: false, error: expect.stringContaining("changed since the run was evaluated") });
    expect([...r2.objects.keys()].filter((k) => k.startsWith("runs/"))).toEqual([]);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining("evidence NOT stored"));
  });

  it("retries an R2 that fails, then records the evidence as not stored, never as stored", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = context();
    const { slices } = await runUntilRecorded(ctx);
    r2.failOn("put", /^runs\//);
    expect(await storeEvidence(ctx, slices, FIRST)).toEqual({ retry: expect.stringContaining("R2 put failed") });
    expect(await storeEvidence(ctx, slices, LAST)).toEqual({ done: { stored: false } });
    const run = await ctx.history.get(ctx.params.run_id);
    expect(run?.evidence).toMatchObject({ stored: false, error: expect.stringContaining("R2 put failed") });
  });

  it("never writes a configured secret into the recorded reason", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = context();
    const { slices } = await runUntilRecorded(ctx);
    r2.failOn("put", /^runs\//);
    const secretive = context({ ...ctx, evidence: { write: async () => Promise.reject(new Error(`bucket said ${ADMIN_KEY}`)), remove: async () => undefined } as unknown as EvidenceStore });
    await storeEvidence(secretive, slices, LAST);
    expect(JSON.stringify(await ctx.history.get(ctx.params.run_id))).not.toContain(ADMIN_KEY);
  });
});

describe("record failure", () => {
  it("ends a running run as failed with the reason and keeps the lock for the evidence step", async () => {
    const ctx = context();
    await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
    expect(await recordFailure(ctx, new Error("D1_ERROR: no more tries"))).toMatchObject({ status: "failed" });
    expect(await ctx.history.get(ctx.params.run_id)).toMatchObject({ status: "failed", failure: { reason: "the run stopped: D1_ERROR: no more tries" } });
    expect((await ctx.history.active())?.id).toBe(ctx.params.run_id);
    await releaseAndCleanUp(ctx);
    expect(await ctx.history.active()).toBeNull();
  });
});

describe("tell owners", () => {
  it("sends each owner one message with only their new findings, once, and names the owners it could not reach", async () => {
    const { startFakeSlack, FAKE_SLACK_TOKEN } = await import("../../src/sim/slack-server.js");
    const { tellOwners, listOwnersInReport } = await import("../../src/audit/steps.js");
    const slack = await startFakeSlack({
      port: 0,
      users: [
        { id: "U0BOB", email: "BOB@example.com", name: "Bob Chen" },
        { id: "U0DANA", email: "dana.ops@example.com", name: "Dana Ops" },
      ],
    });
    try {
      const env = { SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN, SLACK_CHANNEL: "C0REPORT", SLACK_API_URL: slack.url, SLACK_NOTIFY_OWNERS: "true" };
      const ctx = context({ env });
      await runUntilRecorded(ctx);
      const run = await ctx.history.get(ctx.params.run_id);
      const outcome = await tellOwners(ctx, LAST);
      if (!("done" in outcome)) throw new Error("asked for a retry");
      expect(outcome.done).toMatchObject({ status: "sent", failed: 0 });
      const posts = slack.calls.filter((c) => c.method === "chat.postMessage");
      const byOwner = new Map(outcome.done.records.map((r) => [r.owner.id, r.findings]));
      expect([...byOwner.keys()].sort()).toEqual(["U0BOB", "U0DANA"]);
      for (const [owner, fingerprints] of byOwner) {
        const mine = (run?.findings ?? []).filter((f) => fingerprints.includes(f.fingerprint));
        const email = owner === "U0BOB" ? "bob@example.com" : "dana.ops@example.com";
        expect(mine.length).toBe(fingerprints.length);
        expect(mine.every((f) => f.owner.email?.toLowerCase() === email)).toBe(true);
      }
      // One message per owner (a long list would thread under it), sent to their DM channel, never to the report channel.
      expect(new Set(posts.map((p) => p.body.channel)).size).toBe(2);
      expect(posts.every((p) => String(p.body.channel).startsWith("D"))).toBe(true);
      // Owners Slack does not know are named, for the report's thread.
      expect(outcome.done.unreachable.map((u) => u.key_owner.email)).toEqual(expect.arrayContaining(["alice@example.com", "mallory@gmail.com"]));

      // A retried step given the records sends nothing again.
      const again = await tellOwners(ctx, { attempt: 2, last: true, carried: outcome.done.records });
      expect("done" in again && again.done.delivered).toBe(2);
      expect(slack.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(posts.length);
      expect(run?.delivery).toBeUndefined();
      // Without a delivered channel report there is no thread to list the others in.
      expect(await listOwnersInReport(ctx, outcome.done)).toEqual({ posted: false });
      // With one, the owners not messaged are named in its thread.
      const { reportToSlack } = await import("../../src/audit/steps.js");
      const report = await reportToSlack(ctx, LAST);
      expect("done" in report && report.done.status).toBe("delivered");
      expect(await listOwnersInReport(ctx, outcome.done)).toEqual({ posted: true });
      const reply = slack.calls.filter((c) => c.method === "chat.postMessage").at(-1);
      expect(reply?.body.channel).toBe("C0REPORT");
      expect(reply?.body.thread_ts).toBeTruthy();
      expect(String(reply?.body.text)).toMatch(/Owner messages:\* 2 delivered[\s\S]*Not reachable in Slack[\s\S]*alice@example.com/);
    } finally {
      await slack.close();
    }
  });

  it("is off unless SLACK_NOTIFY_OWNERS is true", async () => {
    const ctx = context();
    await runUntilRecorded(ctx);
    const { tellOwners } = await import("../../src/audit/steps.js");
    expect(await tellOwners(ctx, LAST)).toEqual({ done: expect.objectContaining({ status: "off", delivered: 0 }) });
  });
});

describe("risks accepted in Slack", () => {
  it("exempt their finding from the next run on, and when expired the finding is open again with a notice", async () => {
    const first = context();
    await runUntilRecorded(first);
    const recorded = await first.history.get(first.params.run_id);
    const target = recorded!.findings!.find((f) => f.severity === "high")!;
    await releaseAndCleanUp(first);
    const acceptance = {
      id: "acc_00000000000000aa",
      policy_name: "default",
      rule_id: target.rule_id,
      key_id: target.key.id,
      fingerprint: target.fingerprint,
      severity: target.severity,
      reason: "migration to the new key in progress",
      expires: "2026-12-31",
      ticket: null,
      accepted_by_id: "U0SEC",
      accepted_by_name: "Sec Lead",
      accepted_at: NOW.toISOString(),
    };
    await first.acceptances.add(acceptance);

    const second = context();
    await runUntilRecorded(second);
    const exempted = await second.history.get(second.params.run_id);
    expect(exempted!.findings!.map((f) => f.fingerprint)).not.toContain(target.fingerprint);
    expect(exempted!.exemptions).toContainEqual(expect.objectContaining({ rule_id: target.rule_id, key_id: target.key.id, source: "slack" }));
    await releaseAndCleanUp(second);

    // Past its last day, the acceptance no longer exempts and the run says it expired.
    const third = context({ now: () => new Date("2027-01-01T06:00:00Z") });
    await runUntilRecorded(third);
    const reopened = await third.history.get(third.params.run_id);
    expect(reopened!.findings!.map((f) => f.fingerprint)).toContain(target.fingerprint);
    expect(reopened!.exemption_notices).toContainEqual(expect.objectContaining({ kind: "expired", rule_id: target.rule_id, key_id: target.key.id }));
  });
});
