/**
 * Keywarden in a bucket with the R2 bucket lock docs/deploy.md sets up (`runs/`: no object there may be
 * overwritten or deleted): the Workflow's evidence and clean-up steps, run in Node against real SQL and
 * an in-memory R2 that refuses what a lock refuses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../src/config.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import { type AuditContext, evaluateAndRecord, inventorySlice, releaseAndCleanUp, storeEvidence } from "../../src/audit/steps.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { type MemoryR2, memoryR2 } from "../support/memory-r2.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

const ADMIN_KEY = "sk-admin-fake-evidence-lock-000000000";
const NOW = new Date("2026-11-23T06:00:00Z");
const FIRST = { attempt: 1, last: false };
const LAST = { attempt: 3, last: true };

let sim: Simulator;
let d1: SqliteD1;
let r2: MemoryR2;
/** What the lock refused: "put KEY" or "delete KEY". */
let refused: string[];

beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY, port: 0 });
});
afterAll(() => sim.close());
beforeEach(() => {
  d1 = sqliteD1();
  r2 = memoryR2();
  refused = [];
});

/** The bucket under a lock rule on `prefix`: an existing object there is neither overwritten nor deleted. */
function locked(bucket: R2Bucket, prefix: string): R2Bucket {
  return new Proxy(bucket, {
    get(target, name, receiver) {
      if (name === "put") {
        return async (key: string, ...rest: unknown[]) => {
          if (key.startsWith(prefix) && r2.objects.has(key)) {
            refused.push(`put ${key}`);
            throw new Error(`put: object ${key} is locked by a bucket lock rule`);
          }
          return (target.put as (...args: unknown[]) => unknown)(key, ...rest);
        };
      }
      if (name === "delete") {
        return async (keys: string | string[]) => {
          const lockedKeys = (Array.isArray(keys) ? keys : [keys]).filter((key) => key.startsWith(prefix) && r2.objects.has(key));
          if (lockedKeys.length > 0) {
            refused.push(...lockedKeys.map((key) => `delete ${key}`));
            throw new Error(`delete: ${lockedKeys.length} object(s) locked by a bucket lock rule`);
          }
          return target.delete(keys);
        };
      }
      return Reflect.get(target, name, receiver);
    },
  });
}

function context(lockPrefix: string, history: RunHistory = new RunHistory(d1.db)): AuditContext {
  const runId = "run_20261123T060000Z_locked";
  const bucket = locked(r2.bucket, lockPrefix);
  return {
    params: { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: NOW.toISOString() },
    history,
    acceptances: new AcceptanceStore(d1.db),
    remediations: new RemediationStore(d1.db),
    work: new WorkStore(bucket, runId),
    evidence: new EvidenceStore(bucket),
    settings: () => readConfig({ OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url }),
    now: () => NOW,
    policy: bundledPolicy,
  };
}

async function recordedRun(ctx: AuditContext): Promise<number> {
  await ctx.history.start({ id: ctx.params.run_id, trigger: "http", policy_name: "default", notify: false, started_at: ctx.params.started_at });
  let slices = 0;
  for (let remaining = 1; remaining > 0; slices++) {
    const outcome = await inventorySlice(ctx, slices, LAST);
    if (!("done" in outcome)) throw new Error(`slice ${slices}: ${outcome.retry}`);
    remaining = outcome.done.remaining;
  }
  await evaluateAndRecord(ctx, slices);
  return slices;
}

describe("a bucket lock on runs/, as docs/deploy.md sets it up", () => {
  it("stores a run's evidence and then deletes its scratch under work/: the lock refuses nothing", async () => {
    const ctx = context("runs/");
    const slices = await recordedRun(ctx);
    expect(await storeEvidence(ctx, slices, FIRST)).toEqual({ done: { stored: true } });
    await releaseAndCleanUp(ctx);
    expect(refused).toEqual([]);
    expect([...r2.objects.keys()].filter((key) => key.startsWith("work/"))).toEqual([]);
    expect([...r2.objects.keys()].filter((key) => key.startsWith("runs/"))).toContain(`runs/2026/11/${ctx.params.run_id}/manifest.json`);
  });

  it("an evidence step retried after D1 failed to record stored files stores them: files already there with the same bytes are not written again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const history = new RunHistory(d1.db);
    const recordEvidence = history.recordEvidence.bind(history);
    let failures = 1;
    history.recordEvidence = async (...args) => {
      if (failures-- > 0) throw new Error("D1_ERROR: injected, after every evidence file was stored");
      return recordEvidence(...args);
    };
    const ctx = context("runs/", history);
    const slices = await recordedRun(ctx);
    expect(await storeEvidence(ctx, slices, FIRST)).toEqual({ retry: expect.stringContaining("D1_ERROR") });
    const stored = new Map([...r2.objects].filter(([key]) => key.startsWith("runs/")));
    expect(stored.size).toBeGreaterThan(5);
    expect(await storeEvidence(ctx, slices, LAST)).toEqual({ done: { stored: true } });
    expect(refused).toEqual([]);
    expect((await history.get(ctx.params.run_id))?.evidence).toMatchObject({ stored: true, prefix: `runs/2026/11/${ctx.params.run_id}/` });
    expect(new Map([...r2.objects].filter(([key]) => key.startsWith("runs/")))).toEqual(stored);
  });

  it("a lock that also covers work/ makes the clean-up fail: the scratch stays (why the lock's prefix must be runs/)", async () => {
    const ctx = context("");
    const slices = await recordedRun(ctx);
    expect(await storeEvidence(ctx, slices, FIRST)).toEqual({ done: { stored: true } });
    await expect(releaseAndCleanUp(ctx)).rejects.toThrow(/locked by a bucket lock rule/);
    expect(refused.some((what) => what.startsWith("delete work/"))).toBe(true);
    expect([...r2.objects.keys()].filter((key) => key.startsWith("work/")).length).toBeGreaterThan(0);
  });
});
