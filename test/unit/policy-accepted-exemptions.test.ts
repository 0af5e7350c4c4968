import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/model/inventory.js";
import { type AcceptedExemption, type ExemptionOrigin, type Policy, evaluate, findingFingerprint, formatPolicyError, loadPolicy } from "../../src/policy/index.js";

const NOW = new Date("2026-11-24T12:00:00.000Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();

function key(id: string, lastUsedDaysAgo = 200): KeyRecord {
  return {
    kind: "project",
    id,
    name: id,
    redacted_value: "sk-proj-...abcd",
    created_at: ago(300),
    last_used_at: ago(lastUsedDaysAgo),
    expires_at: null,
    owner_access: "active",
    project: { id: "proj_web", name: "web", archived: false },
    owner: { type: "user", id: "user_alice", name: "Alice", email: "alice@example.com", role: "member" },
  };
}

function policy(...exemptionLines: string[]): Policy {
  const exemptions = exemptionLines.length ? `exemptions:\n${exemptionLines.map((line) => `  - ${line}\n`).join("")}` : "";
  const loaded = loadPolicy(`version: 1\nname: t\nrules:\n  - { id: unused-90d, kind: unused, days: 90, severity: high }\n${exemptions}`, "t.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return loaded.policy;
}

function accepted(overrides: Partial<AcceptedExemption> = {}): AcceptedExemption {
  return {
    id: "acc_1",
    rule: "unused-90d",
    key: "key_stale",
    reason: "batch job runs once a quarter",
    expires: "2026-12-31",
    accepted_by: { id: "U0ALICE", name: "Alice Martin" },
    accepted_at: "2026-11-20T09:30:00.000Z",
    ...overrides,
  };
}

const fingerprint = findingFingerprint("unused-90d", "project", "key_stale");
const acceptanceId = (x: ExemptionOrigin) => (x.source === "slack" ? x.id : "policy");

describe("risks accepted in Slack", () => {
  it("exempt the finding like a policy exemption, recording who accepted it, when, and the ticket", () => {
    const result = evaluate([key("key_stale")], policy(), NOW, [accepted({ ticket: "https://tickets.example/SEC-12" })]);
    expect(result.findings).toEqual([]);
    expect(result.exemptions).toEqual([
      {
        rule_id: "unused-90d",
        key_id: "key_stale",
        reason: "batch job runs once a quarter",
        expires: "2026-12-31",
        fingerprint,
        source: "slack",
        id: "acc_1",
        accepted_by: { id: "U0ALICE", name: "Alice Martin" },
        accepted_at: "2026-11-20T09:30:00.000Z",
        ticket: "https://tickets.example/SEC-12",
      },
    ]);
    expect(result.exemption_notices).toEqual([]);
    expect(result.exemptions_in_force).toEqual([expect.objectContaining({ source: "slack", id: "acc_1", status: "applied" })]);
  });

  it("exempt only their own rule and key", () => {
    const result = evaluate([key("key_stale"), key("key_other")], policy(), NOW, [accepted()]);
    expect(result.findings.map((f) => f.key.id)).toEqual(["key_other"]);
  });

  it("hold through the last second of their expiry day (UTC), and no longer the day after", () => {
    const acceptance = [accepted({ expires: "2026-11-24" })];
    expect(evaluate([key("key_stale")], policy(), new Date("2026-11-24T23:59:59.999Z"), acceptance).findings).toEqual([]);
    expect(evaluate([key("key_stale")], policy(), new Date("2026-11-25T00:00:00.000Z"), acceptance).findings).toHaveLength(1);
  });

  it("once expired, open the finding again and say whose acceptance expired, and when", () => {
    const result = evaluate([key("key_stale")], policy(), NOW, [accepted({ expires: "2026-11-20" })]);
    expect(result.findings.map((f) => f.fingerprint)).toEqual([fingerprint]);
    expect(result.exemptions).toEqual([]);
    expect(result.exemption_notices).toEqual([
      {
        kind: "expired",
        rule_id: "unused-90d",
        key_id: "key_stale",
        expires: "2026-11-20",
        reason: "batch job runs once a quarter",
        source: "slack",
        id: "acc_1",
        accepted_by: { id: "U0ALICE", name: "Alice Martin" },
        accepted_at: "2026-11-20T09:30:00.000Z",
      },
    ]);
    expect(result.exemptions_in_force).toEqual([]);
  });

  it("once expired, say nothing when the key no longer breaks the rule, or when a newer acceptance holds", () => {
    const old = accepted({ id: "acc_old", expires: "2026-11-20" });
    expect(evaluate([key("key_stale", 1)], policy(), NOW, [old]).exemption_notices).toEqual([]);
    const renewed = evaluate([key("key_stale")], policy(), NOW, [old, accepted({ id: "acc_new", expires: "2027-01-15" })]);
    expect(renewed.findings).toEqual([]);
    expect(renewed.exemptions.map(acceptanceId)).toEqual(["acc_new"]);
    expect(renewed.exemption_notices).toEqual([]);
  });

  it("report only the latest of several expired acceptances of the same finding", () => {
    const result = evaluate([key("key_stale")], policy(), NOW, [accepted({ id: "acc_a", expires: "2026-10-01" }), accepted({ id: "acc_b", expires: "2026-11-01" })]);
    expect(result.exemption_notices.map((n) => [n.kind, acceptanceId(n)])).toEqual([["expired", "acc_b"]]);
  });

  it("never hold with an unreadable expiry (fail closed)", () => {
    const result = evaluate([key("key_stale")], policy(), NOW, [accepted({ expires: "2026-02-30" })]);
    expect(result.findings).toHaveLength(1);
    expect(result.exemption_notices.map((n) => n.kind)).toEqual(["expired"]);
  });

  it("are reported as unused when their key was not seen", () => {
    const result = evaluate([key("key_other")], policy(), NOW, [accepted({ key: "key_deleted" })]);
    expect(result.exemption_notices).toEqual([expect.objectContaining({ kind: "unused", key_id: "key_deleted", source: "slack", id: "acc_1" })]);
    expect(result.exemptions_in_force).toEqual([expect.objectContaining({ key_id: "key_deleted", status: "unused" })]);
  });

  it("give way to a policy exemption of the same rule and key: the policy's is applied, the acceptance is in force but unused", () => {
    const result = evaluate([key("key_stale")], policy("{ rule: unused-90d, key: key_stale, reason: break-glass, expires: 2027-06-30, approved_by: sec@example.com }"), NOW, [accepted()]);
    expect(result.findings).toEqual([]);
    expect(result.exemptions).toEqual([
      { rule_id: "unused-90d", key_id: "key_stale", reason: "break-glass", expires: "2027-06-30", approved_by: "sec@example.com", source: "policy", fingerprint },
    ]);
    expect(result.exemptions_in_force.map((x) => [x.source, x.status])).toEqual([
      ["policy", "applied"],
      ["slack", "unused"],
    ]);
  });

  it("apply when the policy's exemption of the same finding has expired (which is still reported)", () => {
    const result = evaluate([key("key_stale")], policy("{ rule: unused-90d, key: key_stale, reason: old, expires: 2026-01-01 }"), NOW, [accepted()]);
    expect(result.findings).toEqual([]);
    expect(result.exemptions.map((x) => x.source)).toEqual(["slack"]);
    expect(result.exemption_notices.map((n) => [n.kind, n.source])).toEqual([["expired", "policy"]]);
  });

  it("do not depend on the order they are given in", () => {
    const list = [accepted({ id: "acc_a", expires: "2026-12-01" }), accepted({ id: "acc_b", expires: "2027-01-01" }), accepted({ id: "acc_c", key: "key_gone" })];
    const a = evaluate([key("key_stale")], policy(), NOW, list);
    const b = evaluate([key("key_stale")], policy(), NOW, [...list].reverse());
    expect(b).toEqual(a);
    expect(a.exemptions.map(acceptanceId)).toEqual(["acc_b"]);
  });
});

describe("policy exemptions", () => {
  it("record their source and who approved them", () => {
    const result = evaluate([key("key_stale")], policy("{ rule: unused-90d, key: key_stale, reason: r, expires: 2027-01-01, approved_by: sec@example.com }"), NOW);
    expect(result.exemptions).toEqual([expect.objectContaining({ source: "policy", approved_by: "sec@example.com" })]);
    expect(result.exemptions_in_force).toEqual([
      { rule_id: "unused-90d", key_id: "key_stale", reason: "r", expires: "2027-01-01", approved_by: "sec@example.com", source: "policy", status: "applied" },
    ]);
  });

  it("in force but without a finding to suppress are listed as unused; expired ones are not in force", () => {
    const result = evaluate(
      [key("key_fine", 1), key("key_stale")],
      policy("{ rule: unused-90d, key: key_fine, reason: r, expires: 2027-01-01 }", "{ rule: unused-90d, key: key_stale, reason: r, expires: 2026-01-01 }"),
      NOW,
    );
    expect(result.exemptions_in_force.map((x) => [x.key_id, x.status])).toEqual([["key_fine", "unused"]]);
  });
});
