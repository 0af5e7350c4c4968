import { describe, expect, it } from "vitest";
import { applyLifecycle } from "../../src/model/lifecycle.js";
import { RunHistory } from "../../src/store/run-history.js";
import { recordStatements } from "../../src/store/record-statements.js";
import { makeRun, manyFindings } from "../sim/slack-run-factory.js";
import { sqliteD1 } from "../support/sqlite-d1.js";

const STARTED = "2026-11-23T06:00:00.000Z";

describe("recording a run in D1", () => {
  it("stores 20,000 findings in a few dozen statements, every one back in order, with their states", async () => {
    const { db } = sqliteD1();
    const history = new RunHistory(db);
    const findings = manyFindings(20_000);
    const run = applyLifecycle(makeRun({ id: "run_20261123T060000Z_big000", started_at: STARTED, findings }), new Map());
    const statements = recordStatements(run, "default");
    expect(statements.length).toBeLessThan(60);
    for (const s of statements) for (const p of s.params) if (typeof p === "string") expect(p.length).toBeLessThan(2_000_000);

    await history.start({ id: run.id, trigger: "cron", policy_name: "default", notify: false, started_at: STARTED });
    await history.record(run, "default");
    const stored = await history.get(run.id);
    expect(stored?.findings?.map((f) => f.fingerprint)).toEqual(run.findings.map((f) => f.fingerprint));
    expect(stored?.findings?.[12_345]).toEqual(run.findings[12_345]);
    expect((await history.openFindings("default")).size).toBe(20_000);
  });

  it("opens, keeps open and resolves findings across runs exactly as before", async () => {
    const { db } = sqliteD1();
    const history = new RunHistory(db);
    const first = applyLifecycle(makeRun({ id: "run_20261123T060000Z_first0", started_at: STARTED, findings: manyFindings(30) }), new Map());
    await history.start({ id: first.id, trigger: "cron", policy_name: "default", notify: false, started_at: STARTED });
    await history.record(first, "default");
    await history.release(first.id);

    const second = applyLifecycle(
      makeRun({ id: "run_20261130T060000Z_second", started_at: "2026-11-30T06:00:00.000Z", findings: manyFindings(30).slice(10) }),
      await history.openFindings("default"),
    );
    expect(second.lifecycle).toMatchObject({ new: 0, open: 20, resolved: 10 });
    await history.start({ id: second.id, trigger: "cron", policy_name: "default", notify: false, started_at: second.started_at });
    await history.record(second, "default");
    const open = await history.openFindings("default");
    expect(open.size).toBe(20);
    expect([...open.values()].every((state) => state.last_seen_run === second.id)).toBe(true);
    const stored = await history.get(second.id);
    expect(stored?.findings?.every((f) => f.lifecycle === "open")).toBe(true);
  });
});

describe("when a finding was first seen", () => {
  it("is the start of the run that first saw it, kept while it stays open", async () => {
    const { db } = sqliteD1();
    const history = new RunHistory(db);
    const first = applyLifecycle(makeRun({ id: "run_20261101T060000Z_first0", started_at: "2026-11-01T06:00:00.000Z", findings: manyFindings(3) }), new Map());
    await history.start({ id: first.id, trigger: "cron", policy_name: "default", notify: false, started_at: first.started_at });
    await history.record(first, "default");
    await history.release(first.id);
    const second = applyLifecycle(makeRun({ id: "run_20261108T060000Z_second", started_at: "2026-11-08T06:00:00.000Z", findings: manyFindings(4) }), await history.openFindings("default"));
    await history.start({ id: second.id, trigger: "cron", policy_name: "default", notify: false, started_at: second.started_at });
    await history.record(second, "default");
    const seen = await history.firstSeen("default");
    expect(seen.get(first.findings[0]!.fingerprint)).toBe("2026-11-01T06:00:00.000Z");
    expect(seen.get(second.findings[3]!.fingerprint)).toBe("2026-11-08T06:00:00.000Z");
  });
});
