/**
 * The decisions on accepted risks a run's evidence lists (AcceptanceStore.eventsBetween), against the
 * real migrations: each decision in exactly one window, an expiry at the end of the last day (UTC)
 * unless revoked before, and the decisions taken before migrations/0006 carried over.
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import type { Acceptance } from "../../src/model/acceptance.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { EvidenceStore } from "../../src/store/evidence-store.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { RunHistory } from "../../src/store/run-history.js";
import { WorkStore } from "../../src/store/work-store.js";
import { type AuditContext, recordFailure, releaseAndCleanUp, storeEvidence } from "../../src/audit/steps.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { memoryR2 } from "../support/memory-r2.js";
import { sqliteD1 } from "../support/sqlite-d1.js";

const acceptance = (id: string, expires: string, accepted_at: string): Omit<Acceptance, "source" | "revoked_at" | "revoked_by" | "revoke_reason"> => ({
  id,
  policy_name: "default",
  rule_id: "unused-90d",
  key_id: "key_web_old",
  fingerprint: "25391b5af4040c3aa4242a97dc82a3a3",
  severity: "high",
  reason: "rotated when the owner is back",
  expires,
  ticket: null,
  accepted_by_id: "U0SAM",
  accepted_by_name: "Sam Lee",
  accepted_at,
});

const kinds = (events: { event: string; acceptance_id: string; at: string }[]) => events.map((e) => `${e.at} ${e.event} ${e.acceptance_id}`);

describe("decisions on accepted risks, by window", () => {
  it("lists an expiry at the next day's 00:00Z, in the one window that holds that instant", async () => {
    const store = new AcceptanceStore(sqliteD1().db);
    await store.add(acceptance("acc_a", "2026-11-21", "2026-11-10T09:00:00.000Z"));
    expect(kinds(await store.eventsBetween("2026-11-10T09:00:00.000Z", "2026-11-21T23:59:59.999Z"))).toEqual([]);
    expect(kinds(await store.eventsBetween("2026-11-21T23:59:59.999Z", "2026-11-22T00:00:00.000Z"))).toEqual(["2026-11-22T00:00:00.000Z expired acc_a"]);
    expect(kinds(await store.eventsBetween("2026-11-22T00:00:00.000Z", "2026-12-31T00:00:00.000Z"))).toEqual([]);
    expect(kinds(await store.eventsBetween(null, "2026-12-31T00:00:00.000Z"))).toEqual(["2026-11-10T09:00:00.000Z accepted acc_a", "2026-11-22T00:00:00.000Z expired acc_a"]);
  });

  it("an acceptance revoked before its end never expires; one revoked after it expired has both", async () => {
    const store = new AcceptanceStore(sqliteD1().db);
    await store.add(acceptance("acc_early", "2026-11-21", "2026-11-10T09:00:00.000Z"));
    await store.add(acceptance("acc_late", "2026-11-21", "2026-11-10T09:30:00.000Z"));
    expect(await store.revoke("acc_early", "dana", "2026-11-15T12:00:00.000Z", "no longer needed")).toBe(true);
    expect(await store.revoke("acc_late", "api", "2026-11-25T12:00:00.000Z")).toBe(true);
    // A second revocation changes nothing and records nothing.
    expect(await store.revoke("acc_early", "someone else", "2026-11-16T12:00:00.000Z", "again")).toBe(false);
    const events = await store.eventsBetween(null, "2026-12-01T00:00:00.000Z");
    expect(kinds(events)).toEqual([
      "2026-11-10T09:00:00.000Z accepted acc_early",
      "2026-11-10T09:30:00.000Z accepted acc_late",
      "2026-11-15T12:00:00.000Z revoked acc_early",
      "2026-11-22T00:00:00.000Z expired acc_late",
      "2026-11-25T12:00:00.000Z revoked acc_late",
    ]);
    expect(events[2]).toMatchObject({ by_id: null, by_name: "dana", via: "api", revoke_reason: "no longer needed", reason: "rotated when the owner is back" });
    expect(events[0]).toMatchObject({ by_id: "U0SAM", by_name: "Sam Lee", via: "slack", revoke_reason: null });
    expect(events[3]).toMatchObject({ by_id: null, by_name: null, via: null });
  });

  it("carries over the decisions taken before the events were kept (migrations/0006)", async () => {
    const { DatabaseSync } = createRequire(import.meta.url)("node:sqlite") as typeof import("node:sqlite");
    const db = new DatabaseSync(":memory:");
    const dir = join(import.meta.dirname, "../../migrations");
    const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
    const last = files.indexOf("0006_acceptance_events.sql");
    for (const file of files.slice(0, last)) db.exec(readFileSync(join(dir, file), "utf8"));
    const insert = db.prepare(
      `INSERT INTO accepted_exemptions (id, policy_name, rule_id, key_id, fingerprint, severity, reason, expires, ticket, accepted_by_id, accepted_by_name, accepted_at, revoked_at, revoked_by)
       VALUES (?, 'default', 'unused-90d', 'key_web_old', 'f', 'high', 'kept for now', '2026-12-01', NULL, 'U0SAM', 'Sam Lee', ?, ?, ?)`,
    );
    insert.run("acc_kept", "2026-11-10T09:00:00.000Z", null, null);
    insert.run("acc_gone", "2026-11-11T09:00:00.000Z", "2026-11-12T09:00:00.000Z", "api");
    db.exec(readFileSync(join(dir, "0006_acceptance_events.sql"), "utf8"));
    expect(db.prepare("SELECT acceptance_id, at, kind, by_id, by_name, via FROM acceptance_events ORDER BY seq").all().map((r) => ({ ...r }))).toEqual([
      { acceptance_id: "acc_kept", at: "2026-11-10T09:00:00.000Z", kind: "accepted", by_id: "U0SAM", by_name: "Sam Lee", via: "slack" },
      { acceptance_id: "acc_gone", at: "2026-11-11T09:00:00.000Z", kind: "accepted", by_id: "U0SAM", by_name: "Sam Lee", via: "slack" },
      { acceptance_id: "acc_gone", at: "2026-11-12T09:00:00.000Z", kind: "revoked", by_id: null, by_name: "api", via: "api" },
    ]);
  });

  it("are in a failed run's evidence too, and the next run's window starts at that run", async () => {
    const d1 = sqliteD1();
    const r2 = memoryR2();
    const store = new AcceptanceStore(d1.db);
    const failedRun = async (startedAt: string) => {
      const runId = `run_${startedAt.replace(/[-:.]/g, "")}_failed`;
      const ctx: AuditContext = {
        params: { run_id: runId, trigger: "http", policy: "default", notify: false, started_at: startedAt },
        history: new RunHistory(d1.db),
        acceptances: store,
        remediations: new RemediationStore(d1.db),
        work: new WorkStore(r2.bucket, runId),
        evidence: new EvidenceStore(r2.bucket),
        settings: () => readConfig({ OPENAI_ADMIN_KEY: "sk-admin-fake-acceptance-events-000000", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }),
        now: () => new Date(startedAt),
        policy: bundledPolicy,
      };
      await ctx.history.start({ id: runId, trigger: "http", policy_name: "default", notify: false, started_at: startedAt });
      await recordFailure(ctx, new Error("the Admin API kept failing"));
      expect(await storeEvidence(ctx, 0, { attempt: 1, last: false })).toEqual({ done: { stored: true } });
      await releaseAndCleanUp(ctx);
      const prefix = (await ctx.history.get(runId))?.evidence?.prefix;
      return JSON.parse(new TextDecoder().decode(r2.objects.get(`${prefix}acceptances.json`))) as { decided_after: string | null; events: { event: string }[] };
    };
    await store.add(acceptance("acc_f", "2026-12-01", "2026-11-10T09:00:00.000Z"));
    expect(await failedRun("2026-11-11T06:00:00.000Z")).toMatchObject({ decided_after: null, events: [{ event: "accepted" }] });
    await store.revoke("acc_f", "dana", "2026-11-12T09:00:00.000Z", "not needed after all");
    expect(await failedRun("2026-11-13T06:00:00.000Z")).toMatchObject({ decided_after: "2026-11-11T06:00:00.000Z", events: [{ event: "revoked" }] });
  });
});
