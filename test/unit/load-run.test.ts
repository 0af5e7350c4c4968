/**
 * loadRun (src/audit/load-run.ts): what the Workflow's steps after "evaluate and record" read of their
 * run, once per step, checked with zod (src/model/run-schema.ts) rather than cast.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.js";
import type { AuditContext } from "../../src/audit/steps.js";
import { loadRun } from "../../src/audit/load-run.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { makeError, makeRun, manyFindings } from "../sim/slack-run-factory.js";
import { memoryR2 } from "../support/memory-r2.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

const RUN = makeRun({ findings: manyFindings(12), errors: [makeError(1)], status: "incomplete" });

let d1: SqliteD1;
let ctx: AuditContext;

beforeEach(async () => {
  d1 = sqliteD1();
  const r2 = memoryR2();
  ctx = {
    params: { run_id: RUN.id, trigger: RUN.trigger, policy: "default", notify: true, started_at: RUN.started_at },
    history: new RunHistory(d1.db),
    acceptances: new AcceptanceStore(d1.db),
    remediations: new RemediationStore(d1.db),
    work: new WorkStore(r2.bucket, RUN.id),
    evidence: new EvidenceStore(r2.bucket),
    settings: (): Config => {
      throw new Error("not read");
    },
    now: () => new Date(RUN.finished_at),
    policy: bundledPolicy,
  };
  await ctx.history.start({ id: RUN.id, trigger: RUN.trigger, policy_name: "default", notify: true, started_at: RUN.started_at });
});

describe("loadRun", () => {
  it("refuses a run that is not recorded yet", async () => {
    await expect(loadRun(ctx)).rejects.toThrow(`run ${RUN.id} is not recorded`);
  });

  it("gives the run exactly as recorded, with the delivery and owner messages recorded on it later", async () => {
    await ctx.history.record(RUN, "default");
    const delivery = { status: "failed" as const, attempts: 1, at: RUN.finished_at, stage: "thread", error: "http_503", posted: { channel: "C1", ts: "1.2", thread_messages: 1, thread_ts: ["1.3"] } };
    await ctx.history.recordDelivery(RUN.id, delivery);
    const records = [{ owner: { kind: "user" as const, id: "U1" }, findings: ["fp1"], status: "delivered" as const, channel: "D1", ts: "2.1", messages_posted: 1 }];
    await ctx.history.recordOwnerMessages(RUN.id, { status: "sent", delivered: 1, failed: 0, records, not_sent: [], unreachable: [] });
    const loaded = await loadRun(ctx);
    expect(loaded).toEqual(await ctx.history.get(RUN.id));
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(await ctx.history.get(RUN.id)));
    expect(loaded.delivery).toEqual(delivery);
    expect(loaded.owner_messages?.records).toEqual(records);
    expect(loaded.findings).toHaveLength(12);
  });

  it("refuses a recorded run that does not read as one, naming the field", async () => {
    await ctx.history.record(RUN, "default");
    await d1.db.prepare("UPDATE runs SET summary_json = json_set(summary_json, '$.counts.findings.total', 'twelve') WHERE id = ?").bind(RUN.id).run();
    await expect(loadRun(ctx)).rejects.toThrow(/^run .* as recorded cannot be read: counts\.findings\.total: /);
  });
});
