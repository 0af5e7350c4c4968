/**
 * What undoing a Disable leaves in the record (D1 on real SQL with the migrations) and shows in Slack:
 * the Re-enable names the request it undoes, a Disable resolves its key's findings until a Re-enable
 * takes that back, and the Disable's message offers Re-enable only while it may be asked for.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RequestState } from "../../src/decide/ports.js";
import type { NewRemediation, RemediationAction } from "../../src/model/remediation.js";
import { requestMessage, revokeModal } from "../../src/slack/remediation-blocks.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { type SqliteD1, sqliteD1 } from "../support/sqlite-d1.js";

let d1: SqliteD1;
let store: RemediationStore;
beforeEach(() => {
  d1 = sqliteD1();
  store = new RemediationStore(d1.db);
});

const KEY = "apikey_research_bob";
const FINGERPRINT = "fp_ant_bob";

function statusAction(kind: "disable_key" | "reenable_key", undoes?: string): RemediationAction {
  return {
    kind,
    target: { type: "api_key", id: KEY, name: "bob experiments", project: { id: "wrkspc_research", name: "research", archived: false }, account: "anthropic" },
    request: { method: "POST", path: `/v1/organizations/api_keys/${KEY}`, body: { status: kind === "disable_key" ? "inactive" : "active" } },
    keysAffected: [{ kind: "project", id: KEY, name: "bob experiments", redacted_value: "sk-ant-api03-res...bbob", last_used_at: null, project_id: "wrkspc_research" }],
    summary: kind === "disable_key" ? "Disable Anthropic key" : "Re-enable Anthropic key",
    finding: { rule_id: "unused-90d", rule_kind: "unused", fingerprint: FINGERPRINT, key_id: KEY },
    ...(undoes ? { undoes } : {}),
  };
}

function request(id: string, action: RemediationAction, requestedAt: string): NewRemediation {
  return {
    id,
    fingerprint: FINGERPRINT,
    policy_name: "default",
    rule_id: "unused-90d",
    key_id: KEY,
    action_kind: action.kind,
    summary: action.summary,
    action_json: JSON.stringify(action),
    finding_json: "{}",
    mode: "on",
    reason: "a reason of ten or more",
    acknowledged_in_use: 0,
    requested_by: "U1",
    requested_by_name: "One",
    requested_at: requestedAt,
  };
}

async function executed(id: string, action: RemediationAction, at: string): Promise<void> {
  expect(await store.create(request(id, action, at))).toEqual({ ok: true });
  expect(await store.claim(id, "on", at.slice(0, 10), at, 5)).toBe("claimed");
  expect(await store.finish(id, { status: "done", http_status: 200, outcome: "done", at, actor: "U2" })).toBe(true);
}

describe("undoing a Disable, in the record", () => {
  it("a Re-enable names the Disable it undoes; the latest other one is found", async () => {
    await executed("rem_disable", statusAction("disable_key"), "2026-11-26T10:00:00.000Z");
    expect(await store.undoOf("rem_disable")).toBeNull();
    await executed("rem_undo1", statusAction("reenable_key", "rem_disable"), "2026-11-27T10:00:00.000Z");
    expect(await store.undoOf("rem_disable")).toMatchObject({ id: "rem_undo1", status: "done", action_kind: "reenable_key" });
    expect(await store.undoOf("rem_disable", "rem_undo1")).toBeNull();
  });

  it("a Disable resolves its key's findings until a later Re-enable takes that back", async () => {
    await executed("rem_disable", statusAction("disable_key"), "2026-11-26T10:00:00.000Z");
    const resolved = [{ fingerprint: FINGERPRINT, key_id: KEY }];
    expect(await store.resolvedBy(resolved)).toEqual(new Map([[FINGERPRINT, { id: "rem_disable", executed_at: "2026-11-26T10:00:00.000Z" }]]));
    await executed("rem_undo", statusAction("reenable_key", "rem_disable"), "2026-11-27T10:00:00.000Z");
    expect(await store.resolvedBy(resolved)).toEqual(new Map());
    await executed("rem_disable2", statusAction("disable_key"), "2026-11-28T10:00:00.000Z");
    expect((await store.resolvedBy(resolved)).get(FINGERPRINT)?.id).toBe("rem_disable2");
  });
});

function state(overrides: Partial<RequestState>): RequestState {
  return {
    id: "rem_disable",
    mode: "on",
    action: statusAction("disable_key"),
    finding: { rule_id: "unused-90d", severity: "high" },
    reason: "a reason of ten or more",
    requested_by: "U1",
    requested_at: "2026-11-26T10:00:00.000Z",
    approvals: [{ approver: "U2" }],
    approvalsNeeded: 2,
    status: "done",
    outcome: "Disabled Anthropic key",
    decided_by: null,
    now: new Date("2026-11-26T12:00:00.000Z"),
    ...overrides,
  };
}

describe("undoing a Disable, in Slack", () => {
  it("the Disable's message carries the Re-enable button while it is offered, and says what became of it after", () => {
    const offered = JSON.stringify(requestMessage(state({ reenable: { until: "2026-12-03T10:00:00.000Z", offered: true, request: null } })).blocks);
    expect(offered).toContain('"action_id":"remediation_reenable","value":"rem_disable"');
    expect(offered).toContain("Re-enable is offered until 2026-12-03 10:00 UTC");
    const requested = JSON.stringify(requestMessage(state({ reenable: { until: "2026-12-03T10:00:00.000Z", offered: false, request: { id: "rem_undo", status: "pending" } } })).blocks);
    expect(requested).not.toContain("remediation_reenable");
    expect(requested).toContain("Re-enable requested as `rem_undo`: pending.");
    const over = JSON.stringify(requestMessage(state({ reenable: { until: "2026-12-03T10:00:00.000Z", offered: false, request: null } })).blocks);
    expect(over).not.toContain("remediation_reenable");
    expect(over).toContain("Re-enable was offered until 2026-12-03 10:00 UTC");
    // Pending, it carries Approve / Reject only.
    expect(JSON.stringify(requestMessage(state({ status: "pending" })).blocks)).not.toContain("remediation_reenable");
  });

  it("a Re-enable's message names the Disable it undoes; the Disable form says disable, not delete", () => {
    const undo = requestMessage(state({ id: "rem_undo", action: statusAction("reenable_key", "rem_disable"), status: "pending" }));
    expect(JSON.stringify(undo.blocks)).toContain("Undoes: `rem_disable`");
    const modal = revokeModal({
      finding: {
        rule_id: "unused-90d",
        rule_kind: "unused",
        severity: "high",
        fingerprint: FINGERPRINT,
        sentence: "s",
        key: { kind: "project", id: KEY, name: "bob experiments", redacted_value: "", created_at: "2026-01-01T00:00:00.000Z", last_used_at: null, expires_at: null, owner_access: null, provider: "anthropic" },
        project: null,
        owner: { type: "user", id: "u", name: null, email: null, role: null },
      },
      actions: [statusAction("disable_key")],
      mode: "dry-run",
      inUse: [],
      approvalsNeeded: 2,
      privateMetadata: "{}",
      now: new Date("2026-11-26T12:00:00.000Z"),
    });
    const text = JSON.stringify(modal);
    expect(modal).toMatchObject({ title: { text: "Disable (dry run)" } });
    expect(text).toContain("organization-wide key");
    expect(text).toContain("nothing will be disabled");
    expect(text).toContain("Why must it be disabled?");
    expect(text).not.toContain("deleted");
  });
});
