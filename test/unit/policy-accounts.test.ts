import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/model/inventory.js";
import { DEFAULT_ACCOUNT, isActiveKey, keyAccount, keyProvider, keyStatus } from "../../src/model/key-facts.js";
import { compileReach, evaluate, findingFingerprint } from "../../src/policy/index.js";
import { NOW, ago, anthropicKey, oneRule, openaiKey, policy, ruleErrors } from "./policy-support.js";

/** The fingerprint every finding had before accounts existed. */
function legacyFingerprint(ruleId: string, kind: string, keyId: string): string {
  return createHash("sha256").update(`${ruleId}\u0000${kind}\u0000${keyId}`).digest("hex").slice(0, 32);
}

/** `account/key id` of each finding of a one-rule policy. */
function flagged(fields: string, keys: KeyRecord[]): string[] {
  return evaluate(keys, oneRule(fields), NOW).findings.map((finding) => `${keyAccount(finding.key)}/${finding.key.id}`);
}

const STALE = "kind: unused, days: 90";

describe("model/key-facts.ts", () => {
  it("applies the defaults of records listed before accounts", () => {
    const old = openaiKey();
    expect([keyProvider(old), keyAccount(old), keyStatus(old), isActiveKey(old)]).toEqual(["openai", "openai", "active", true]);
    expect(DEFAULT_ACCOUNT).toBe("openai");
  });

  it("reads what the provider set, and defaults an account to its provider's", () => {
    const key = anthropicKey({ account: "anthropic-eu", status: "inactive" });
    expect([keyProvider(key), keyAccount(key), keyStatus(key), isActiveKey(key)]).toEqual(["anthropic", "anthropic-eu", "inactive", false]);
    const { account: _, ...withoutAccount } = anthropicKey();
    expect(keyAccount(withoutAccount)).toBe("anthropic");
  });
});

describe("fingerprints include the account", () => {
  it("keeps today's fingerprint for the default account openai, named or not", () => {
    const expected = legacyFingerprint("unused-90d", "project", "key_1");
    expect(findingFingerprint("unused-90d", "project", "key_1")).toBe(expected);
    expect(findingFingerprint("unused-90d", "project", "key_1", "openai")).toBe(expected);
    const stale = openaiKey({ last_used_at: ago(100) });
    const named = { ...stale, provider: "openai" as const, account: "openai" };
    const policyText = oneRule(STALE);
    expect(evaluate([stale], policyText, NOW).findings[0]?.fingerprint).toBe(legacyFingerprint("r", "project", "key_1"));
    expect(evaluate([named], policyText, NOW).findings[0]?.fingerprint).toBe(legacyFingerprint("r", "project", "key_1"));
  });

  it("gives every other account its own: two organizations never share a lifecycle", () => {
    const openai = openaiKey({ last_used_at: ago(100) });
    const eu = { ...openai, provider: "openai" as const, account: "openai-eu" };
    const us = { ...openai, provider: "openai" as const, account: "openai-us" };
    const prints = evaluate([openai, eu, us], oneRule(STALE), NOW).findings.map((finding) => finding.fingerprint);
    expect(new Set(prints).size).toBe(3);
    expect(prints).toContain(findingFingerprint("r", "project", "key_1", "openai-eu"));
    expect(findingFingerprint("r", "project", "key_1", "openai-eu")).not.toBe(legacyFingerprint("r", "project", "key_1"));
    expect(findingFingerprint("r", "project", "key_1", "openai-eu")).toBe(
      createHash("sha256").update("r\u0000project\u0000key_1\u0000openai-eu").digest("hex").slice(0, 32),
    );
  });

  it("orders the same key id of several accounts by account, whatever the inventory order", () => {
    const stale = openaiKey({ last_used_at: ago(100) });
    const keys = [{ ...stale, account: "openai-us" }, stale, { ...stale, account: "openai-eu" }];
    for (const order of [keys, [...keys].reverse()]) {
      expect(evaluate(order, oneRule(STALE), NOW).findings.map((finding) => keyAccount(finding.key))).toEqual(["openai", "openai-eu", "openai-us"]);
    }
  });

  it("names the account for Anthropic keys, whose default account is anthropic", () => {
    const key = anthropicKey({ created_at: ago(400) });
    const [finding] = evaluate([key], oneRule("kind: key-age, days: 365"), NOW).findings;
    expect(finding?.fingerprint).toBe(findingFingerprint("r", "project", "apikey_1", "anthropic"));
    expect(finding?.fingerprint).not.toBe(legacyFingerprint("r", "project", "apikey_1"));
  });
});

describe("scope: providers and accounts", () => {
  const keys = [
    openaiKey({ id: "key_default", created_at: ago(400) }),
    openaiKey({ id: "key_eu", created_at: ago(400), provider: "openai", account: "openai-eu" }),
    anthropicKey({ id: "apikey_main", created_at: ago(400) }),
    anthropicKey({ id: "apikey_lab", created_at: ago(400), account: "anthropic-lab" }),
  ];
  const aged = (scope: string) => flagged(`kind: key-age, days: 365, scope: ${scope}`, keys);

  it("applies a rule to every account of every provider when left out", () => {
    expect(flagged("kind: key-age, days: 365", keys)).toEqual(["anthropic-lab/apikey_lab", "anthropic/apikey_main", "openai/key_default", "openai-eu/key_eu"]);
  });

  it("narrows by provider (a record without one is OpenAI's)", () => {
    expect(aged("{ providers: [anthropic] }")).toEqual(["anthropic-lab/apikey_lab", "anthropic/apikey_main"]);
    expect(aged("{ providers: [openai] }")).toEqual(["openai/key_default", "openai-eu/key_eu"]);
  });

  it("narrows by account name or glob (a record without one is the default account openai)", () => {
    expect(aged("{ accounts: [openai] }")).toEqual(["openai/key_default"]);
    expect(aged('{ accounts: ["openai-*", anthropic-lab] }')).toEqual(["anthropic-lab/apikey_lab", "openai-eu/key_eu"]);
    expect(aged('{ accounts: ["ANTHROPIC*"] }')).toEqual(["anthropic-lab/apikey_lab", "anthropic/apikey_main"]);
  });

  it("combines with the other scope fields; projects match Anthropic workspaces", () => {
    expect(aged("{ providers: [anthropic], projects: [prod] }")).toEqual(["anthropic-lab/apikey_lab", "anthropic/apikey_main"]);
    expect(aged("{ providers: [openai], projects: [prod] }")).toEqual([]);
    expect(aged("{ accounts: [anthropic], kinds: [admin] }")).toEqual([]);
  });

  it("rejects an unknown provider and empty lists", () => {
    expect(ruleErrors("kind: unused, days: 9, scope: { providers: [gemini] }")).toEqual([
      expect.stringMatching(/rules\[0\]\.scope\.providers\[0\]: expected one of: openai, anthropic; got "gemini"/),
    ]);
    expect(ruleErrors("kind: unused, days: 9, scope: { accounts: [] }")).toEqual([expect.stringMatching(/list at least one account, or leave accounts out/)]);
    expect(ruleErrors("kind: unused, days: 9, scope: { providers: [] }")).toEqual([expect.stringMatching(/list at least one provider, or leave providers out/)]);
  });
});

describe("match: provider, account, status, workspace", () => {
  const keys = [
    openaiKey({ id: "key_openai" }),
    openaiKey({ id: "key_eu", provider: "openai", account: "openai-eu" }),
    anthropicKey({ id: "apikey_prod" }),
    anthropicKey({ id: "apikey_org", project: null }),
    anthropicKey({ id: "apikey_old", project: { id: "wrkspc_old", name: "old", archived: true } }),
    anthropicKey({ id: "apikey_off", status: "inactive" }),
  ];
  const where = (condition: string) => flagged(`kind: match, where: ${condition}`, keys);

  it("provider and account", () => {
    expect(where("{ field: provider, eq: anthropic }")).toEqual(["anthropic/apikey_old", "anthropic/apikey_org", "anthropic/apikey_prod"]);
    expect(where("{ field: provider, eq: openai }")).toEqual(["openai-eu/key_eu", "openai/key_openai"]);
    expect(where('{ field: account, glob: "openai*" }')).toEqual(["openai-eu/key_eu", "openai/key_openai"]);
    expect(where("{ field: account, eq: openai }")).toEqual(["openai/key_openai"]);
  });

  it("workspace.* reads the Anthropic workspace, absent for OpenAI keys and organization-scoped keys", () => {
    expect(where("{ field: workspace.name, eq: prod }")).toEqual(["anthropic/apikey_prod"]);
    expect(where("{ field: workspace.id, eq: wrkspc_old }")).toEqual(["anthropic/apikey_old"]);
    expect(where("{ field: workspace.archived, eq: true }")).toEqual(["anthropic/apikey_old"]);
    expect(where("{ field: workspace.id, absent: true }")).toEqual(["anthropic/apikey_org", "openai-eu/key_eu", "openai/key_openai"]);
  });

  it("status: OpenAI keys are active; a condition on status sees the keys that are not", () => {
    expect(where("{ field: status, eq: active }")).toEqual(["anthropic/apikey_old", "anthropic/apikey_org", "anthropic/apikey_prod", "openai-eu/key_eu", "openai/key_openai"]);
    expect(where("{ field: status, eq: inactive }")).toEqual(["anthropic/apikey_off"]);
    expect(where("{ not: { field: status, in: [active, archived] } }")).toEqual(["anthropic/apikey_off"]);
    // Without status in its condition, a match rule checks active keys only.
    expect(where("{ field: provider, eq: anthropic }")).not.toContain("anthropic/apikey_off");
  });

  it("rejects values that could never match", () => {
    expect(ruleErrors("kind: match, where: { field: status, eq: disabled }")).toEqual([
      expect.stringMatching(/status is one of active, inactive, archived, expired; "disabled" would never match/),
    ]);
    expect(ruleErrors("kind: match, where: { field: provider, eq: gemini }")).toEqual([expect.stringMatching(/provider is one of openai, anthropic/)]);
    expect(ruleErrors("kind: match, where: { field: workspace.archived, eq: yes }")).toEqual([expect.stringMatching(/workspace\.archived is true or false/)]);
  });
});

describe("only active keys are findings of the usual rules", () => {
  const everyKind = policy(`version: 1
name: every-kind
rules:
  - { id: unused, kind: unused, days: 90, severity: high }
  - { id: age, kind: key-age, days: 365, severity: medium }
  - { id: owner, kind: owner-allowlist, allow: { emails: ["*@nowhere.example"] }, severity: medium }
  - { id: sa-role, kind: service-account-role, roles: [admin], severity: critical }
  - { id: anthropic, kind: match, where: { field: provider, eq: anthropic }, severity: low }
  - { id: anything, kind: match, where: { not: { field: id, eq: "" } }, severity: info }
`);
  const breaksEverything = (status: string) =>
    anthropicKey({
      id: `apikey_${status}`,
      status,
      created_at: ago(500),
      last_used_at: null,
      last_used_known_since: ago(365),
      owner: { type: "service_account", id: "svcacct_1", name: null, email: null, role: null },
    });

  it("an active Anthropic key breaking every rule is a finding of each", () => {
    const result = evaluate([breaksEverything("active")], everyKind, NOW);
    expect(result.findings.map((finding) => finding.rule_id).sort()).toEqual(["age", "anthropic", "anything", "owner", "sa-role", "unused"]);
  });

  for (const status of ["inactive", "archived", "expired"]) {
    it(`an ${status} one is inventory: no finding, nothing undecided, still seen by exemptions`, () => {
      const withExemption = { ...everyKind, exemptions: [{ rule: "age", key: `apikey_${status}`, reason: "r", expires: "2027-01-01" }] };
      const result = evaluate([breaksEverything(status), { ...breaksEverything(status), last_used_known_since: undefined, last_used_unknown: "unreadable" }], withExemption, NOW);
      expect(result.findings).toEqual([]);
      expect(result.undecided).toEqual([]);
      expect(result.exemption_notices).toEqual([]);
    });
  }

  it("a match rule naming status flags them", () => {
    const keys = ["active", "inactive", "archived", "expired"].map(breaksEverything);
    const stale = policy(`version: 1
name: t
rules:
  - { id: disabled-long-ago, kind: match, severity: low, where: { all: [{ field: status, ne: active }, { field: created_at, older-than: 365d }] } }
`);
    expect(evaluate(keys, stale, NOW).findings.map((finding) => finding.key.id)).toEqual(["apikey_archived", "apikey_expired", "apikey_inactive"]);
  });
});

describe("compileReach: the keys a rule checks (what a control assessment counts)", () => {
  const rule = (fields: string) => {
    const [first] = oneRule(fields).rules;
    if (!first) throw new Error("no rule");
    return compileReach(first);
  };
  const active = anthropicKey();
  const inactive = anthropicKey({ status: "inactive" });
  const openai = openaiKey();

  it("scope and active status for the usual rules", () => {
    const reach = rule("kind: key-age, days: 1, scope: { providers: [anthropic] }");
    expect([active, inactive, openai].map(reach)).toEqual([true, false, false]);
  });

  it("every status for a match rule naming status", () => {
    expect([active, inactive, openai].map(rule("kind: match, where: { field: status, ne: active }"))).toEqual([true, true, true]);
    expect([active, inactive, openai].map(rule("kind: match, where: { field: provider, eq: anthropic }"))).toEqual([true, false, true]);
  });
});
