import { describe, expect, it } from "vitest";
import { type Policy, RULE_KINDS, evaluate, formatPolicyError, loadPolicy, remediationFor, renderPolicySchema } from "../../src/policy/index.js";
import { NOW, ago, openaiKey as key } from "./policy-support.js";

function policy(text: string): Policy {
  const loaded = loadPolicy(text, "test.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return loaded.policy;
}

/** One rule of each kind, every one of which the key below breaks. */
const EVERY_KIND = `version: 1
name: t
rules:
  - { id: unused-90d, kind: unused, days: 90, severity: high }
  - { id: key-age-365d, kind: key-age, days: 365, severity: medium }
  - { id: owner-not-allowed, kind: owner-allowlist, severity: medium, allow: { emails: ["*@example.com"] } }
  - { id: service-account-owner, kind: service-account-role, roles: [owner], severity: critical }
  - { id: any-key, kind: match, severity: low, where: { field: kind, eq: project } }
`;
const BAD_KEY = key({ last_used_at: ago(200), created_at: ago(400), owner: { type: "service_account", name: "deploy-bot", email: null, role: "owner" } });

describe("remediation", () => {
  it("every rule kind has its own default advice, carried by each finding", () => {
    const remediation = Object.fromEntries(evaluate([BAD_KEY], policy(EVERY_KIND), NOW).findings.map((f) => [f.rule_kind, f.remediation]));
    expect(remediation).toEqual({
      unused: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
      "key-age": "rotate: create a new key, move the app to it, then revoke this one",
      "owner-allowlist": "move the key to an approved owner or revoke it",
      "service-account-role": "demote the service account to member, or give it a key of its own with least privilege",
      match: "review the key against this rule and revoke or rotate it",
    });
    expect(Object.keys(remediation).sort()).toEqual([...RULE_KINDS].sort());
  });

  it("a rule's own remediation wins over its kind's default, for that rule only", () => {
    const text = EVERY_KIND.replace(
      "  - { id: unused-90d, kind: unused, days: 90, severity: high }",
      "  - id: unused-90d\n    kind: unused\n    days: 90\n    severity: high\n    remediation: \"ask the platform team to revoke it (runbook RB-12)\"",
    );
    const findings = evaluate([BAD_KEY], policy(text), NOW).findings;
    expect(findings.find((f) => f.rule_id === "unused-90d")?.remediation).toBe("ask the platform team to revoke it (runbook RB-12)");
    expect(findings.find((f) => f.rule_id === "key-age-365d")?.remediation).toBe("rotate: create a new key, move the app to it, then revoke this one");
  });

  it("an empty remediation is refused where it is written", () => {
    const loaded = loadPolicy("version: 1\nname: t\nrules:\n  - id: a\n    kind: unused\n    days: 90\n    severity: high\n    remediation: '  '\n", "p.yaml");
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map(formatPolicyError)).toEqual([
      "p.yaml:8:18 rules[0].remediation: remediation must not be empty; leave it out to use the rule kind's default",
    ]);
  });

  it("a finding recorded without one (an older run) gets its kind's default, or the generic advice for a kind unknown here", () => {
    expect(remediationFor({ rule_kind: "key-age" })).toBe("rotate: create a new key, move the app to it, then revoke this one");
    expect(remediationFor({ rule_kind: "key-age", remediation: "mine" })).toBe("mine");
    expect(remediationFor({ rule_kind: "from-the-future" })).toBe("review the key against this rule and revoke or rotate it");
  });

  it("is offered to editors by the JSON Schema, on every rule kind", () => {
    const schema = JSON.parse(renderPolicySchema()) as { $defs: Record<string, { properties?: Record<string, { type?: string; minLength?: number }> }> };
    for (const kind of RULE_KINDS) expect(schema.$defs[`${kind}-rule`]?.properties?.remediation, kind).toMatchObject({ type: "string", minLength: 1 });
  });
});
