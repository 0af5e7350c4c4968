/** The Revoke modal and the request message: every key shown, names as data, Approve/Reject only while pending. */
import { describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import { actionsFor } from "../../src/decide/actions.js";
import { findingAccessory, readMenuChoice, requestMessage, revokeModal } from "../../src/slack/remediation-blocks.js";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const HOSTILE = "<!channel> *deploy* <https://evil.example|click>";

function saFinding(): RunFinding {
  return {
    rule_id: "service-account-owner",
    rule_kind: "service-account-role",
    severity: "high",
    fingerprint: "fp000000000000000000000000000001",
    sentence: "service account deploy-bot is an owner",
    key: { kind: "project", id: "key_one", name: HOSTILE, redacted_value: "sk-proj-...0001", created_at: "2025-01-01T00:00:00.000Z", last_used_at: "2026-11-26T11:00:00.000Z", expires_at: null, owner_access: "active" },
    project: { id: "proj_data", name: "data", archived: false },
    owner: { type: "service_account", id: "sa_deploy", name: "deploy-bot", email: null, role: "owner" },
  };
}

function otherKeys(n: number): KeyRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "project" as const,
    id: `key_other_${i}`,
    name: `other ${i}`,
    redacted_value: `sk-proj-...o${String(i).padStart(3, "0")}`,
    created_at: "2025-01-01T00:00:00.000Z",
    last_used_at: null,
    expires_at: null,
    project: { id: "proj_data", name: "data", archived: false },
    owner: { type: "service_account" as const, id: "sa_deploy", name: "deploy-bot", email: null, role: "owner" },
    owner_access: "active" as const,
  }));
}

function modalText(view: object): string {
  return JSON.stringify(view);
}

describe("the finding menu", () => {
  it("carries the run and the fingerprint in each option, read back exactly; anything else is not a choice", () => {
    const ref = { runId: "run_20261126T120000Z_abc123", fingerprint: "fp_abc" };
    const menu = findingAccessory(ref, true);
    expect(menu.type).toBe("overflow");
    const values = menu.type === "overflow" ? menu.options.map((o) => o.value) : [];
    expect(values.map(readMenuChoice)).toEqual([
      { choice: "accept_risk", fingerprint: "fp_abc", ref },
      { choice: "revoke", fingerprint: "fp_abc", ref },
    ]);
    // A menu of a report made before runs were named reads as the fingerprint alone.
    expect(readMenuChoice("revoke:fp_abc")).toEqual({ choice: "revoke", fingerprint: "fp_abc", ref: null });
    for (const junk of ["revoke:", "delete:fp_abc", "revoke:fp abc", "revoke:fp_abc\n", `revoke:${"a".repeat(129)}`, "revoke:run:fp:x", "revoke:run 1:fp"]) expect(readMenuChoice(junk)).toBeNull();
    expect(findingAccessory(ref, false)).toMatchObject({ type: "button", action_id: "accept_risk", value: "run_20261126T120000Z_abc123:fp_abc" });
  });
});

describe("the Revoke modal", () => {
  it("lists every key that goes with a service account, asks which action and why, and requires the in-use checkbox", () => {
    const finding = saFinding();
    const actions = actionsFor(finding, otherKeys(3));
    const view = revokeModal({ finding, actions, mode: "on", inUse: [actions[0]?.keysAffected[0] as never], approvalsNeeded: 2, privateMetadata: "{}", now: NOW });
    const text = modalText(view);
    for (const id of ["key_one", "key_other_0", "key_other_1", "key_other_2"]) expect(text).toContain(id);
    expect(text).toContain("All 4 keys that go with it");
    const blocks = view.blocks as { type: string; block_id?: string; element?: { type: string; options?: { value: string }[] } }[];
    expect(blocks.find((b) => b.block_id === "action")?.element?.options?.map((o) => o.value)).toEqual(["demote_service_account", "delete_service_account"]);
    expect(blocks.find((b) => b.block_id === "in_use")?.element).toMatchObject({ type: "checkboxes", options: [{ value: "acknowledged" }] });
    expect(blocks.find((b) => b.block_id === "reason")?.element).toMatchObject({ type: "plain_text_input", min_length: 10 });
    expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
  });

  it("shows a hostile key name as text: no mention, link or formatting reaches Slack", () => {
    const finding = saFinding();
    const view = revokeModal({ finding, actions: actionsFor(finding, []), mode: "dry-run", inUse: [], approvalsNeeded: 2, privateMetadata: "{}", now: NOW });
    const text = modalText(view);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil.example");
    expect(text).toContain("&lt;!channel&gt;");
    expect((view.title as { text: string }).text).toBe("Revoke (dry run)");
    expect((view.blocks as { block_id?: string }[]).some((b) => b.block_id === "in_use")).toBe(false);
  });

  it("details 20 keys and names every other one by id, each section within Slack's limits", () => {
    const finding = saFinding();
    const actions = actionsFor(finding, otherKeys(300)).filter((a) => a.kind === "delete_service_account");
    const view = revokeModal({ finding, actions, mode: "on", inUse: [], approvalsNeeded: 2, privateMetadata: "{}", now: NOW });
    const blocks = view.blocks as { text?: { text: string } }[];
    expect(blocks[1]?.text?.text).toContain("…and 281 more, by id below");
    const text = blocks.map((b) => b.text?.text ?? "").join("\n");
    for (let i = 0; i < 300; i++) expect(text).toContain(`key_other_${i}\``);
    for (const block of blocks) expect((block.text?.text ?? "").length).toBeLessThanOrEqual(3000);
    expect(blocks.length).toBeLessThanOrEqual(100);
    const message = requestMessage({ id: "rem_1", mode: "on", action: actions[0] as never, finding, reason: "r", requested_by: "U1", requested_at: NOW.toISOString(), approvals: [], approvalsNeeded: 2, status: "pending", outcome: null, decided_by: null, now: NOW });
    const messageText = JSON.stringify(message.blocks);
    for (let i = 0; i < 300; i++) expect(messageText).toContain(`key_other_${i}`);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe("the request message", () => {
  const finding = saFinding();
  const action = actionsFor(finding, [])[1] as NonNullable<ReturnType<typeof actionsFor>[number]>;
  const base = { id: "rem_0123", mode: "on" as const, action, finding, reason: "owner left", requested_by: "U1", requested_at: "2026-11-26T10:00:00.000Z", approvalsNeeded: 2, decided_by: null, now: NOW };

  it("while pending: the exact request, the approvals so far, and Approve / Reject valued with the request id", () => {
    const message = requestMessage({ ...base, approvals: [], status: "pending", outcome: null });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("DELETE /organization/projects/proj_data/service_accounts/sa_deploy");
    expect(text).toContain("Approvals: 1 of 2");
    const actions = message.blocks.find((b) => b.type === "actions") as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ["remediation_approve", "rem_0123"],
      ["remediation_reject", "rem_0123"],
    ]);
  });

  it("once decided: no buttons, the outcome and who approved", () => {
    const message = requestMessage({ ...base, approvals: [{ approver: "U2" }], status: "done", outcome: "Deleted service account." });
    expect(message.blocks.some((b) => b.type === "actions")).toBe(false);
    expect(JSON.stringify(message.blocks)).toMatch(/:white_check_mark: Done: Deleted service account\. Approved by <@U2>\./);
  });
});
