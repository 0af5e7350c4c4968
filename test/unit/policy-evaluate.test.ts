import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeyRecord, } from "../../src/model/inventory.js";
import { type Policy, evaluate, findingFingerprint, formatPolicyError, loadPolicy } from "../../src/policy/index.js";
import { sha256HexPrefix } from "../../src/policy/sha256-prefix.js";
import { DAY, NOW, ago, openaiKey as key } from "./policy-support.js";

function policy(text: string): Policy {
  const loaded = loadPolicy(text, "test.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return loaded.policy;
}

const UNUSED = "version: 1\nname: t\nrules:\n  - { id: unused-90d, kind: unused, days: 90, severity: high }\n";

function withExemptions(...lines: string[]): Policy {
  return policy(`${UNUSED}exemptions:\n${lines.map((line) => `  - ${line}\n`).join("")}`);
}

describe("exemptions", () => {
  const stale = key({ id: "key_stale", last_used_at: ago(200) });

  it("suppresses the finding and lists the exemption", () => {
    const result = evaluate([stale], withExemptions("{ rule: unused-90d, key: key_stale, reason: break-glass, expires: 2027-01-31, approved_by: sec@example.com }"), NOW);
    expect(result.findings).toEqual([]);
    expect(result.exemptions).toEqual([
      {
        rule_id: "unused-90d",
        key_id: "key_stale",
        reason: "break-glass",
        expires: "2027-01-31",
        approved_by: "sec@example.com",
        source: "policy",
        fingerprint: findingFingerprint("unused-90d", "project", "key_stale"),
      },
    ]);
    expect(result.exemption_notices).toEqual([]);
  });

  it("stops exempting once expired, and says so", () => {
    const result = evaluate([stale], withExemptions("{ rule: unused-90d, key: key_stale, reason: break-glass, expires: 2026-11-23 }"), NOW);
    expect(result.findings.map((finding) => finding.key.id)).toEqual(["key_stale"]);
    expect(result.exemptions).toEqual([]);
    expect(result.exemption_notices).toEqual([{ kind: "expired", rule_id: "unused-90d", key_id: "key_stale", expires: "2026-11-23", reason: "break-glass", source: "policy" }]);
  });

  it("holds through the last second of its expiry day (UTC)", () => {
    const exemptions = withExemptions("{ rule: unused-90d, key: key_stale, reason: r, expires: 2026-11-24 }");
    const lastMoment = evaluate([stale], exemptions, new Date("2026-11-24T23:59:59.999Z"));
    expect(lastMoment.findings).toEqual([]);
    expect(lastMoment.exemptions).toHaveLength(1);
    const nextDay = evaluate([stale], exemptions, new Date("2026-11-25T00:00:00.000Z"));
    expect(nextDay.findings).toHaveLength(1);
    expect(nextDay.exemption_notices.map((notice) => notice.kind)).toEqual(["expired"]);
  });

  it("reports an exemption whose key is no longer in the inventory", () => {
    const result = evaluate([stale], withExemptions("{ rule: unused-90d, key: key_deleted, reason: r, expires: 2027-01-01 }"), NOW);
    expect(result.findings).toHaveLength(1);
    expect(result.exemption_notices).toEqual([{ kind: "unused", rule_id: "unused-90d", key_id: "key_deleted", expires: "2027-01-01", reason: "r", source: "policy" }]);
  });

  it("exempts only its own rule and key", () => {
    const twoRules = policy(
      `${UNUSED}  - { id: key-age-1d, kind: key-age, days: 1, severity: low }\nexemptions:\n  - { rule: unused-90d, key: key_stale, reason: r, expires: 2027-01-01 }\n`,
    );
    const other = key({ id: "key_other", last_used_at: ago(200) });
    const result = evaluate([stale, other], twoRules, NOW);
    expect(result.findings.map((finding) => `${finding.rule_id} ${finding.key.id}`)).toEqual([
      "unused-90d key_other",
      "key-age-1d key_other",
      "key-age-1d key_stale",
    ]);
    expect(result.exemptions.map((exemption) => exemption.key_id)).toEqual(["key_stale"]);
  });

  it("lists nothing when an exemption's key no longer breaks the rule", () => {
    const result = evaluate([key({ id: "key_stale" })], withExemptions("{ rule: unused-90d, key: key_stale, reason: r, expires: 2027-01-01 }"), NOW);
    expect(result).toEqual({
      findings: [],
      exemptions: [],
      exemption_notices: [],
      exemptions_in_force: [{ rule_id: "unused-90d", key_id: "key_stale", reason: "r", expires: "2027-01-01", source: "policy", status: "unused" }],
      undecided: [],
    });
  });
});

describe("findings", () => {
  it("carry the rule, the severity, the sentence, what to do about it and the key", () => {
    const stale = key({ last_used_at: ago(100) });
    const [finding] = evaluate([stale], policy(UNUSED), NOW).findings;
    expect(finding).toEqual({
      rule_id: "unused-90d",
      rule_kind: "unused",
      severity: "high",
      fingerprint: findingFingerprint("unused-90d", "project", "key_1"),
      sentence: "last used 100 days ago, on 2026-08-16",
      remediation: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
      key: stale,
    });
  });

  it("have a stable fingerprint: sha256(rule id NUL key kind NUL key id), 32 hex characters", () => {
    const expected = createHash("sha256").update("unused-90d\u0000project\u0000key_1").digest("hex").slice(0, 32);
    const stale = key({ last_used_at: ago(100) });
    const first = evaluate([stale], policy(UNUSED), NOW).findings[0];
    const later = evaluate([{ ...stale, last_used_at: ago(150), name: "renamed" }], policy(UNUSED), new Date(NOW.getTime() + 30 * DAY)).findings[0];
    expect(first?.fingerprint).toBe(expected);
    expect(later?.fingerprint).toBe(expected);
    expect(findingFingerprint("unused-90d", "admin", "key_1")).not.toBe(expected);
    expect(findingFingerprint("unused-30d", "project", "key_1")).not.toBe(expected);
  });

  it("are ordered by severity, then rule id, then key id, whatever the input order", () => {
    const rules = policy(
      [
        "version: 1",
        "name: t",
        "rules:",
        "  - { id: b-info, kind: match, severity: info, where: { field: kind, eq: project } }",
        "  - { id: z-critical, kind: match, severity: critical, where: { field: kind, eq: project } }",
        "  - { id: a-critical, kind: match, severity: critical, where: { field: kind, eq: project } }",
        "  - { id: m-medium, kind: match, severity: medium, where: { field: kind, eq: project } }",
        "",
      ].join("\n"),
    );
    const keys = ["key_c", "key_a", "key_b"].map((id) => key({ id }));
    const order = (input: KeyRecord[]) => evaluate(input, rules, NOW).findings.map((finding) => `${finding.severity} ${finding.rule_id} ${finding.key.id}`);
    const expected = [
      "critical a-critical key_a",
      "critical a-critical key_b",
      "critical a-critical key_c",
      "critical z-critical key_a",
      "critical z-critical key_b",
      "critical z-critical key_c",
      "medium m-medium key_a",
      "medium m-medium key_b",
      "medium m-medium key_c",
      "info b-info key_a",
      "info b-info key_b",
      "info b-info key_c",
    ];
    expect(order(keys)).toEqual(expected);
    expect(order([...keys].reverse())).toEqual(expected);
    expect(order([keys[1], keys[2], keys[0]] as KeyRecord[])).toEqual(expected);
  });

  it("are the same for the same inputs (pure)", () => {
    const keys = [key({ id: "a", last_used_at: ago(100) }), key({ id: "b", last_used_at: null, created_at: ago(300) })];
    const rules = policy(UNUSED);
    expect(evaluate(keys, rules, NOW)).toEqual(evaluate(keys, rules, NOW));
  });
});

describe("fingerprint hashing", () => {
  it("matches node:crypto SHA-256 for short, long, multi-block and non-ASCII input", () => {
    const inputs = ["", "abc", "a".repeat(55), "a".repeat(56), "a".repeat(63), "a".repeat(64), "x".repeat(1000), "é日本🎉\u0000key", "\ud800 lone surrogate"];
    for (let i = 0; i < 300; i++) inputs.push(Array.from({ length: i % 140 }, (_, j) => String.fromCharCode(32 + ((i * 7 + j * 131) % 3000))).join(""));
    for (const input of inputs) {
      expect(sha256HexPrefix(input), JSON.stringify(input)).toBe(createHash("sha256").update(input).digest("hex").slice(0, 32));
    }
  });
});
