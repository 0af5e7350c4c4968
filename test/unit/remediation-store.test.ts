/** The D1 record of remediations, on real SQL with the migrations: the cap and the claim hold in one statement. */
import { beforeEach, describe, expect, it } from "vitest";
import type { NewRemediation } from "../../src/model/remediation.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

let d1: SqliteD1;
let store: RemediationStore;
beforeEach(() => {
  d1 = sqliteD1();
  store = new RemediationStore(d1.db);
});

function request(id: string, keyIds: string[] = ["key_a"], requestedAt = "2026-11-26T10:00:00.000Z"): NewRemediation {
  return {
    id,
    fingerprint: `fp_${id}`,
    policy_name: "default",
    rule_id: "unused-90d",
    key_id: keyIds[0] as string,
    action_kind: "delete_project_key",
    summary: "Delete project key",
    action_json: JSON.stringify({ request: { method: "DELETE", path: `/organization/projects/proj_x/api_keys/${keyIds[0]}`, body: null }, keysAffected: keyIds.map((k) => ({ id: k })) }),
    finding_json: "{}",
    mode: "on",
    reason: "unused for a long time",
    acknowledged_in_use: 0,
    requested_by: "U1",
    requested_by_name: "One",
    requested_at: requestedAt,
  };
}

const DAY = "2026-11-26";
const AT = "2026-11-26T11:00:00.000Z";

describe("RemediationStore", () => {
  it("claims a pending request once: a second claim finds it taken", async () => {
    await store.create(request("rem_1"));
    expect(await store.claim("rem_1", "on", DAY, AT, 5)).toBe("claimed");
    expect(await store.claim("rem_1", "on", DAY, AT, 5)).toBe("taken");
    expect((await store.get("rem_1"))?.status).toBe("executing");
  });

  it("refuses a claim once the day's cap is reached, counting only the same mode and day", async () => {
    for (const id of ["rem_1", "rem_3", "rem_4"]) await store.create(request(id));
    await store.create({ ...request("rem_2"), mode: "dry-run" });
    expect(await store.claim("rem_1", "on", DAY, AT, 2)).toBe("claimed");
    expect(await store.claim("rem_2", "dry-run", DAY, AT, 1)).toBe("claimed");
    expect(await store.claim("rem_3", "on", DAY, AT, 2)).toBe("claimed");
    expect(await store.claim("rem_4", "on", DAY, AT, 2)).toBe("cap");
    expect(await store.claim("rem_4", "on", "2026-11-27", "2026-11-27T00:01:00.000Z", 2)).toBe("claimed");
    expect(await store.executedOn(DAY, "on")).toBe(2);
  });

  it("keeps one open request per finding in the database itself: a second one made at the same moment is refused, naming the first", async () => {
    const first = request("rem_1");
    const second = { ...request("rem_2"), fingerprint: first.fingerprint };
    const [a, b] = await Promise.all([store.create(first), store.create(second)]);
    expect([a, b].filter((made) => made.ok)).toHaveLength(1);
    expect([a, b].find((made) => !made.ok)).toMatchObject({ ok: false, open: { status: "pending" } });
    const { results } = await d1.db.prepare("SELECT id FROM remediation_requests WHERE fingerprint = ?").bind(first.fingerprint).all();
    expect(results).toHaveLength(1);
    const { results: events } = await d1.db.prepare("SELECT request_id FROM remediation_events WHERE kind = 'requested'").all();
    expect(events).toHaveLength(1);
    // Claimed (executing) still counts as open; once decided, the finding may be requested again.
    const made = (a.ok ? first : second).id;
    expect(await store.claim(made, "on", DAY, AT, 5)).toBe("claimed");
    expect((await store.create({ ...request("rem_3"), fingerprint: first.fingerprint })).ok).toBe(false);
    await store.finish(made, { status: "failed", http_status: 500, outcome: "HTTP 500", at: AT, actor: "U2" });
    expect((await store.create({ ...request("rem_4"), fingerprint: first.fingerprint })).ok).toBe(true);
  });

  it("counts failed, unconfirmed and already-gone executions against the day's cap, like done ones", async () => {
    const ids = ["rem_1", "rem_2", "rem_3", "rem_4"];
    for (const id of ids) await store.create(request(id));
    const outcomes = ["failed", "unconfirmed", "already_gone"] as const;
    for (const [i, status] of outcomes.entries()) {
      const id = ids[i] as string;
      expect(await store.claim(id, "on", DAY, AT, 3)).toBe("claimed");
      expect(await store.finish(id, { status, http_status: null, outcome: status, at: AT, actor: "U2" })).toBe(true);
    }
    expect(await store.executedOn(DAY, "on")).toBe(3);
    expect(await store.claim("rem_4", "on", DAY, AT, 3)).toBe("cap");
  });

  it("records an approval once per person, and none once the request is decided", async () => {
    await store.create(request("rem_1"));
    expect(await store.approve("rem_1", { approver: "U2", approver_name: "Two", approved_at: AT })).toBe(true);
    expect(await store.approve("rem_1", { approver: "U2", approver_name: "Two", approved_at: AT })).toBe(false);
    expect(await store.decide("rem_1", "rejected", "U3", AT, "no")).toBe(true);
    expect(await store.approve("rem_1", { approver: "U3", approver_name: "Three", approved_at: AT })).toBe(false);
    expect((await store.events("rem_1")).map((e) => e.kind)).toEqual(["requested", "approved", "rejected"]);
  });

  it("expires requests pending for 24 hours, decided at the moment they expired", async () => {
    await store.create(request("rem_old", ["key_a"], "2026-11-25T09:00:00.000Z"));
    await store.create(request("rem_new", ["key_b"], "2026-11-26T09:00:00.000Z"));
    expect(await store.expireDue(new Date("2026-11-26T10:00:00.000Z"))).toEqual(["rem_old"]);
    expect(await store.get("rem_old")).toMatchObject({ status: "expired", decided_at: "2026-11-26T09:00:00.000Z" });
    expect((await store.get("rem_new"))?.status).toBe("pending");
    expect((await store.decidedBetween("2026-11-26T00:00:00.000Z", "2026-11-26T12:00:00.000Z")).map((r) => r.id)).toEqual(["rem_old"]);
  });

  it("names the request that resolved each finding: every finding on the keys a deletion took, only its own for a demotion, none for a failure", async () => {
    await store.create(request("rem_sa", ["key_a", "key_b"]));
    await store.create(request("rem_failed", ["key_c"]));
    await store.create({ ...request("rem_demote", ["key_e"]), action_kind: "demote_service_account" });
    for (const id of ["rem_sa", "rem_failed", "rem_demote"]) await store.claim(id, "on", DAY, AT, 5);
    await store.finish("rem_sa", { status: "done", http_status: 200, outcome: "Deleted", at: AT, actor: "U2" });
    await store.finish("rem_failed", { status: "failed", http_status: 500, outcome: "HTTP 500", at: AT, actor: "U2" });
    await store.finish("rem_demote", { status: "done", http_status: 200, outcome: "Demoted", at: AT, actor: "U2" });
    const resolved = await store.resolvedBy([
      { fingerprint: "f1", key_id: "key_a" },
      { fingerprint: "f2", key_id: "key_b" },
      { fingerprint: "f3", key_id: "key_c" },
      { fingerprint: "fp_rem_demote", key_id: "key_e" },
      { fingerprint: "f5_unused_on_key_e", key_id: "key_e" },
    ]);
    expect([...resolved.entries()]).toEqual([
      ["f1", { id: "rem_sa", executed_at: AT }],
      ["f2", { id: "rem_sa", executed_at: AT }],
      ["fp_rem_demote", { id: "rem_demote", executed_at: AT }],
    ]);
  });

  it("never claims a request made in another mode (a dry run stays a dry run) or one that has expired", async () => {
    await store.create({ ...request("rem_dry"), mode: "dry-run" });
    await store.create(request("rem_old", ["key_b"], "2026-11-25T10:59:00.000Z"));
    expect(await store.claim("rem_dry", "on", DAY, AT, 5)).toBe("stale");
    expect(await store.claim("rem_old", "on", DAY, AT, 5)).toBe("stale");
    expect((await store.get("rem_dry"))?.status).toBe("pending");
  });

  it("finishes a request left executing (its isolate was lost) as unconfirmed, once", async () => {
    await store.create(request("rem_lost"));
    await store.claim("rem_lost", "on", DAY, AT, 5);
    expect(await store.openFor("fp_rem_lost")).toMatchObject({ id: "rem_lost", status: "executing" });
    expect(await store.finishStuck(new Date("2026-11-26T11:05:00.000Z"), 15 * 60_000)).toEqual([]);
    expect(await store.finishStuck(new Date("2026-11-26T11:20:00.000Z"), 15 * 60_000)).toEqual(["rem_lost"]);
    expect(await store.get("rem_lost")).toMatchObject({ status: "unconfirmed", outcome: expect.stringContaining("never reported back") });
    expect(await store.finish("rem_lost", { status: "done", http_status: 200, outcome: "late", at: AT, actor: null })).toBe(false);
    expect((await store.events("rem_lost")).map((e) => e.kind)).toEqual(["requested", "executed"]);
    expect(await store.openFor("fp_rem_lost")).toBeNull();
  });
});
