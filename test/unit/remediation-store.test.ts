/** The D1 record of remediations, on real SQL with the migrations: the cap and the claim hold in one statement. */
import { beforeEach, describe, expect, it } from "vitest";
import { type NewRemediation, RemediationStore } from "../../src/store/remediations.js";
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
    for (const id of ["rem_1", "rem_2", "rem_3", "rem_4"]) await store.create(request(id));
    expect(await store.claim("rem_1", "on", DAY, AT, 2)).toBe("claimed");
    expect(await store.claim("rem_2", "dry-run", DAY, AT, 1)).toBe("claimed");
    expect(await store.claim("rem_3", "on", DAY, AT, 2)).toBe("claimed");
    expect(await store.claim("rem_4", "on", DAY, AT, 2)).toBe("cap");
    expect(await store.claim("rem_4", "on", "2026-11-27", "2026-11-27T00:01:00.000Z", 2)).toBe("claimed");
    expect(await store.executedOn(DAY, "on")).toBe(2);
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

  it("names the request that removed each key, every key of the action included, and only when it was done", async () => {
    await store.create(request("rem_sa", ["key_a", "key_b"]));
    await store.create(request("rem_failed", ["key_c"]));
    await store.claim("rem_sa", "on", DAY, AT, 5);
    await store.finish("rem_sa", { status: "done", http_status: 200, outcome: "Deleted", at: AT, actor: "U2" });
    await store.claim("rem_failed", "on", DAY, AT, 5);
    await store.finish("rem_failed", { status: "failed", http_status: 500, outcome: "HTTP 500", at: AT, actor: "U2" });
    const removed = await store.removedKeys(["key_a", "key_b", "key_c", "key_d"]);
    expect([...removed.entries()]).toEqual([
      ["key_a", { id: "rem_sa", executed_at: AT }],
      ["key_b", { id: "rem_sa", executed_at: AT }],
    ]);
  });
});
