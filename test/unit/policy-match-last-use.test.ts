/** A `match` rule on last_used_at over keys whose last use is derived from usage reports (Anthropic, issue 19): never decided by guess. */
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/model/inventory.js";
import { type Policy, evaluate, usageDaysNeeded } from "../../src/policy/index.js";
import { NOW, ago, anthropicKey, listedAnthropicKey, oneRule, openaiKey, policy } from "./policy-support.js";

const ANTHROPIC = { name: "anthropic", provider: "anthropic" } as const;

function outcome(key: KeyRecord, rules: Policy): string {
  const result = evaluate([key], rules, NOW);
  if (result.findings.length > 0) return `finding: ${result.findings.map((finding) => finding.sentence).join(" | ")}`;
  if (result.undecided.length > 0) return `undecided: ${result.undecided.map((entry) => entry.reason).join(" | ")}`;
  return "fine";
}

const olderThan90 = oneRule("kind: match, where: { field: last_used_at, older-than: 90d }");
const neverUsed = oneRule("kind: match, where: { field: last_used_at, absent: true }");
const newerThan30 = oneRule("kind: match, where: { field: last_used_at, newer-than: 30d }");
const notUsedIn90 = oneRule("kind: match, where: { any: [ { field: last_used_at, older-than: 90d }, { field: last_used_at, absent: true } ] }");

describe("match on last_used_at, Anthropic key whose usage could not be read", () => {
  const unreadable = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: undefined, last_used_unknown: "the usage analytics could not be read" });

  it("is undecided for older-than, absent and newer-than alike, with the reason", () => {
    for (const rules of [olderThan90, neverUsed, newerThan30, notUsedIn90]) {
      expect(outcome(unreadable, rules)).toBe("undecided: last use unknown: the usage analytics could not be read");
    }
  });

  it("is undecided when its usage was never read (a listed key has no derived last use)", () => {
    expect(outcome(listedAnthropicKey(), olderThan90)).toBe(
      "undecided: last use unknown: anthropic does not list when a key was last used, and it was not read from its usage reports",
    );
  });

  it("is not listed as undecided when an exemption covers that key for that rule", () => {
    const exempt = policy(`version: 1
name: t
rules:
  - { id: r, severity: high, kind: match, where: { field: last_used_at, older-than: 90d } }
exemptions:
  - { rule: r, key: apikey_1, reason: reviewed, expires: "2027-01-01" }
`);
    expect(outcome(unreadable, exempt)).toBe("fine");
  });

  it("still decides a condition that does not depend on the last use", () => {
    const rules = oneRule("kind: match, where: { all: [ { field: name, eq: nobody }, { field: last_used_at, older-than: 90d } ] }");
    expect(outcome(unreadable, rules)).toBe("fine");
  });
});

describe("match on last_used_at, Anthropic key with no use since the start of the usage read", () => {
  it("created before that start: never used, or used before it, cannot be told apart", () => {
    const idle = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: ago(365) });
    expect(outcome(idle, olderThan90)).toMatch(/^undecided: no use since \d{4}-\d\d-\d\d, the earliest usage readable \(365 days\): whether, and when, it was used before cannot be read/);
    expect(outcome(idle, neverUsed)).toMatch(/^undecided: no use since/);
  });

  it("created inside the usage read: never used, decided as an OpenAI key that never was", () => {
    const fresh = anthropicKey({ created_at: ago(200), last_used_at: null, last_used_known_since: ago(365) });
    expect(outcome(fresh, olderThan90)).toBe("fine");
    expect(outcome(fresh, neverUsed)).toBe(`finding: last_used_at is absent; no use since ${ago(365).slice(0, 10)} (as far back as usage was read)`);
  });

  it("decides what every possible last use agrees on: not used in the last 90 days when the read reaches back 90", () => {
    const idle = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: ago(90) });
    expect(outcome(idle, notUsedIn90)).toBe(`finding: last_used_at is absent; no use since ${ago(90).slice(0, 10)} (as far back as usage was read)`);
    expect(outcome(idle, newerThan30)).toBe("fine");
  });

  it("is undecided when the read reaches back fewer days than the condition needs", () => {
    const idle = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: ago(10) });
    expect(outcome(idle, notUsedIn90)).toMatch(/^undecided: no use since .*\(10 days\)/);
    expect(outcome(idle, newerThan30)).toMatch(/^undecided: no use since/);
  });

  it("uses the rule's description as the sentence when it has one", () => {
    const described = oneRule("kind: match, description: idle key, where: { any: [ { field: last_used_at, older-than: 90d }, { field: last_used_at, absent: true } ] }");
    const idle = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: ago(90) });
    expect(outcome(idle, described)).toBe("finding: idle key");
  });

  it("is undecided for a text comparison on last_used_at, unless the key was never used", () => {
    const rules = oneRule('kind: match, where: { field: last_used_at, glob: "2026-*" }');
    expect(outcome(anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: ago(365) }), rules)).toMatch(/^undecided: no use since/);
    expect(outcome(anthropicKey({ created_at: ago(100), last_used_at: null, last_used_known_since: ago(365) }), rules)).toBe("fine");
  });
});

describe("match on last_used_at, Anthropic key with a use seen", () => {
  it("is judged by it, as an OpenAI key is", () => {
    expect(outcome(anthropicKey({ created_at: ago(400), last_used_at: ago(100), last_used_known_since: ago(365) }), olderThan90)).toBe(
      `finding: last_used_at older than 90d (${ago(100).slice(0, 10)})`,
    );
    expect(outcome(anthropicKey({ created_at: ago(400), last_used_at: ago(10), last_used_known_since: ago(365) }), olderThan90)).toBe("fine");
    expect(outcome(anthropicKey({ created_at: ago(400), last_used_at: ago(10), last_used_known_since: ago(365) }), neverUsed)).toBe("fine");
  });
});

describe("match on last_used_at, OpenAI keys: unchanged", () => {
  it("null is never used: not older than anything, and absent", () => {
    const never = openaiKey({ created_at: ago(400), last_used_at: null });
    expect(outcome(never, olderThan90)).toBe("fine");
    expect(outcome(never, neverUsed)).toBe("finding: last_used_at is absent");
    expect(outcome(never, notUsedIn90)).toBe("finding: last_used_at is absent");
  });

  it("a last use is compared as listed", () => {
    expect(outcome(openaiKey({ last_used_at: ago(100) }), olderThan90)).toBe(`finding: last_used_at older than 90d (${ago(100).slice(0, 10)})`);
    expect(outcome(openaiKey({ last_used_at: ago(1) }), olderThan90)).toBe("fine");
  });

  it("an unscoped rule decides the OpenAI key and leaves the Anthropic one undecided", () => {
    const keys = [openaiKey({ last_used_at: ago(100) }), listedAnthropicKey()];
    const result = evaluate(keys, olderThan90, NOW);
    expect(result.findings.map((finding) => finding.key.id)).toEqual(["key_1"]);
    expect(result.undecided.map((entry) => `${entry.account} ${entry.key_id}`)).toEqual(["anthropic apikey_listed"]);
  });
});

describe("usageDaysNeeded for match rules on last_used_at", () => {
  it("is the longest older-than / newer-than, in whole days", () => {
    expect(usageDaysNeeded(olderThan90, ANTHROPIC)).toBe(90);
    expect(usageDaysNeeded(oneRule("kind: match, where: { not: { field: last_used_at, newer-than: 12h } }"), ANTHROPIC)).toBe(1);
    expect(usageDaysNeeded(oneRule("kind: match, where: { field: last_used_at, older-than: 3w }"), ANTHROPIC)).toBe(21);
  });

  it("is the whole history kept (365 days) for absent or a text comparison", () => {
    expect(usageDaysNeeded(neverUsed, ANTHROPIC)).toBe(365);
    expect(usageDaysNeeded(notUsedIn90, ANTHROPIC)).toBe(365);
    expect(usageDaysNeeded(oneRule('kind: match, where: { field: last_used_at, eq: "2026-01-01T00:00:00Z" }'), ANTHROPIC)).toBe(365);
  });

  it("is the largest over unused and match rules that reach the account, null when none asks", () => {
    const both = policy(`version: 1
name: t
rules:
  - { id: u, severity: high, kind: unused, days: 200 }
  - { id: m, severity: high, kind: match, where: { field: last_used_at, older-than: 120d } }
  - { id: o, severity: high, kind: match, where: { field: last_used_at, absent: true }, scope: { providers: [openai] } }
`);
    expect(usageDaysNeeded(both, ANTHROPIC)).toBe(200);
    expect(usageDaysNeeded(oneRule("kind: match, where: { field: last_used_at, absent: true }, scope: { accounts: [other] }"), ANTHROPIC)).toBeNull();
    expect(usageDaysNeeded(oneRule("kind: match, where: { field: created_at, older-than: 90d }"), ANTHROPIC)).toBeNull();
  });
});
