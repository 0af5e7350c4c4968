/**
 * The `unused` rule where last use is derived from usage reports (Anthropic, issue 19): decided when
 * the reports say enough, undecided (neither a finding nor fine) when they cannot be read or do not
 * reach back the rule's days.
 */
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/model/inventory.js";
import { lastUseFields } from "../../src/model/last-use.js";
import { evaluate, usageDaysNeeded } from "../../src/policy/index.js";
import { type LastUseReport, lastUseOf, usageWindow } from "../../src/providers/anthropic/last-used.js";
import { DAY, NOW, ago, anthropicKey, listedAnthropicKey, oneRule, openaiKey, policy } from "./policy-support.js";

/** What one `unused` rule of `days` says of one key: its finding's sentence, `undecided: reason`, or "fine". */
function verdict(key: KeyRecord, days = 90): string {
  const result = evaluate([key], oneRule(`kind: unused, days: ${days}`), NOW);
  if (result.findings.length > 0) return result.findings.map((finding) => finding.sentence).join("; ");
  if (result.undecided.length > 0) return result.undecided.map((entry) => `undecided: ${entry.reason}`).join("; ");
  return "fine";
}

const noUse = (overrides: Parameters<typeof anthropicKey>[0]) => anthropicKey({ last_used_at: null, ...overrides });

describe("unused over usage reports that reach back far enough", () => {
  it("a use within the rule's days is fine", () => {
    expect(verdict(anthropicKey({ created_at: ago(400), last_used_at: ago(5), last_used_known_since: ago(90) }))).toBe("fine");
  });

  it("a last use older than the rule's days is a finding, as for OpenAI", () => {
    expect(verdict(anthropicKey({ created_at: ago(400), last_used_at: ago(120), last_used_known_since: ago(300) }))).toBe("last used 120 days ago, on 2026-07-27");
  });

  it("a use seen is certain even when the reports reach back fewer days than the rule", () => {
    const usedLongAgo = anthropicKey({ created_at: ago(400), last_used_at: ago(95), last_used_known_since: ago(100) });
    expect(verdict(usedLongAgo, 180)).toBe("fine");
    expect(verdict(usedLongAgo, 90)).toBe("last used 95 days ago, on 2026-08-21");
  });

  it("no use in reports covering the rule's days is a finding, said as such", () => {
    expect(verdict(noUse({ created_at: ago(400), last_used_known_since: ago(90) }))).toBe(
      "no use since 2026-08-26 (as far back as usage was read); created 400 days ago, on 2025-10-20",
    );
  });

  it("a key created inside the reports' window and never used is never used", () => {
    expect(verdict(noUse({ created_at: ago(200), last_used_known_since: ago(300) }))).toBe("never used; created 200 days ago, on 2026-05-08");
  });

  it("counts the window to the second: exactly the rule's days decides, a second less does not", () => {
    expect(verdict(noUse({ created_at: ago(400), last_used_known_since: ago(90) }))).not.toMatch(/^undecided/);
    expect(verdict(noUse({ created_at: ago(400), last_used_known_since: ago(90, -1_000) }))).toMatch(/^undecided: no use since 2026-08-26, the earliest usage readable \(89 days, fewer than the rule's 90\)/);
  });
});

describe("unused when it cannot be decided", () => {
  it("reports shorter than the rule's days, no use seen, a key older than them: undecided", () => {
    expect(verdict(noUse({ created_at: ago(400), last_used_known_since: ago(60) }))).toBe(
      "undecided: no use since 2026-09-25, the earliest usage readable (60 days, fewer than the rule's 90): an older use cannot be ruled out",
    );
  });

  it("usage that could not be read: undecided with the reason", () => {
    const key = anthropicKey({ created_at: ago(400), last_used_at: null, last_used_known_since: undefined, last_used_unknown: "the usage analytics could not be read: HTTP 500" });
    expect(verdict(key)).toBe("undecided: last use unknown: the usage analytics could not be read: HTTP 500");
  });

  it("an Anthropic key whose last use was never derived is undecided, never 'never used'", () => {
    const listed = listedAnthropicKey();
    expect(listed.last_used_at).toBeNull();
    expect(verdict(listed)).toBe("undecided: last use unknown: anthropic does not list when a key was last used, and it was not read from its usage reports");
    // An OpenAI key with a null last_used_at was never used: OpenAI says so.
    expect(verdict(openaiKey({ created_at: ago(200), last_used_at: null }))).toBe("never used; created 200 days ago, on 2026-05-08");
  });

  it("an unreadable start of the usage read, or creation time with unknown use: undecided", () => {
    expect(verdict(noUse({ created_at: ago(400), last_used_known_since: "yesterday" }))).toBe('undecided: last use unknown: the start of the usage read ("yesterday") cannot be read');
    expect(verdict(anthropicKey({ created_at: "garbage", last_used_at: null, last_used_known_since: undefined, last_used_unknown: "down" }))).toBe("undecided: last use unknown: down");
  });

  it("a key younger than the rule's days is fine whatever its use", () => {
    expect(verdict(noUse({ created_at: ago(30), last_used_known_since: ago(10) }))).toBe("fine");
    expect(verdict(anthropicKey({ created_at: ago(90), last_used_at: null, last_used_known_since: undefined, last_used_unknown: "down" }))).toBe("fine");
  });

  it("each rule decides for its own days over the same reports", () => {
    const key = noUse({ created_at: ago(500), last_used_known_since: ago(327) });
    const rules = policy(`version: 1
name: t
rules:
  - { id: unused-30d, kind: unused, days: 30, severity: high }
  - { id: unused-365d, kind: unused, days: 365, severity: high }
`);
    const result = evaluate([key], rules, NOW);
    expect(result.findings.map((finding) => finding.rule_id)).toEqual(["unused-30d"]);
    expect(result.undecided).toEqual([
      { rule_id: "unused-365d", key_id: "apikey_1", account: "anthropic", reason: expect.stringMatching(/^no use since 2026-01-01, the earliest usage readable \(327 days, fewer than the rule's 365\)/) },
    ]);
  });

  it("lists every undecided key by rule, account and key, and leaves out those an exemption covers", () => {
    const unknown = { created_at: ago(400), last_used_at: null, last_used_known_since: undefined, last_used_unknown: "unreadable" };
    const keys = [
      anthropicKey({ ...unknown, id: "apikey_b", account: "anthropic-us" }),
      anthropicKey({ ...unknown, id: "apikey_a", account: "anthropic-us" }),
      anthropicKey({ ...unknown, id: "apikey_z", account: "anthropic-eu" }),
      anthropicKey({ ...unknown, id: "apikey_exempt", account: "anthropic-eu" }),
    ];
    const rules = policy(`version: 1
name: t
rules:
  - { id: unused-90d, kind: unused, days: 90, severity: high }
exemptions:
  - { rule: unused-90d, key: apikey_exempt, reason: break-glass, expires: "2027-01-01" }
`);
    const result = evaluate(keys, rules, NOW);
    expect(result.findings).toEqual([]);
    expect(result.undecided.map((entry) => `${entry.account}/${entry.key_id}`)).toEqual(["anthropic-eu/apikey_z", "anthropic-us/apikey_a", "anthropic-us/apikey_b"]);
    expect(result.exemptions).toEqual([]);
    expect(result.exemptions_in_force.map((entry) => `${entry.key_id} ${entry.status}`)).toEqual(["apikey_exempt unused"]);
  });
});

describe("model/last-use.ts lastUseFields from the provider's last use", () => {
  const { window } = usageWindow(90, NOW);
  const report: LastUseReport = {
    known: true,
    account: "anthropic",
    window: { ...window, fresh_until: null },
    lastUsed: { apikey_used: { bucket_start: ago(3).slice(0, 10) + "T00:00:00.000Z", bucket_end: ago(2).slice(0, 10) + "T00:00:00.000Z" } },
    requests: 3,
  };
  const derived = (id: string, createdAt: string, from: LastUseReport = report) => {
    const key = listedAnthropicKey({ id, created_at: createdAt });
    return { ...key, ...lastUseFields(lastUseOf(from, key), from.known ? from.window : undefined) };
  };

  it("maps used, never used, not used since and unknown onto decisions", () => {
    expect(verdict(derived("apikey_used", ago(400)))).toBe("fine");
    expect(verdict(derived("apikey_new", ago(60)))).toBe("fine");
    expect(verdict(derived("apikey_idle", ago(400)))).toBe("no use since 2026-08-26 (as far back as usage was read); created 400 days ago, on 2025-10-20");
    expect(verdict(derived("apikey_idle", ago(400)), 120)).toMatch(/^undecided: no use since 2026-08-26, the earliest usage readable \(90 days, fewer than the rule's 120\)/);
    const down: LastUseReport = { known: false, account: "anthropic", reason: "the usage analytics could not be read: HTTP 403", requests: 1 };
    expect(verdict(derived("apikey_idle", ago(400), down))).toBe("undecided: last use unknown: the usage analytics could not be read: HTTP 403");
  });

  it("writes the fields each state needs, and no others", () => {
    expect(lastUseFields({ state: "used", last_used_at: ago(2) }, window)).toEqual({ last_used_at: ago(2), last_used_known_since: window.from });
    expect(lastUseFields({ state: "never_used" }, window)).toEqual({ last_used_at: null, last_used_known_since: window.from });
    expect(lastUseFields({ state: "not_used_since" }, window)).toEqual({ last_used_at: null, last_used_known_since: window.from });
    expect(lastUseFields({ state: "unknown", reason: "r" }, undefined)).toEqual({ last_used_at: null, last_used_unknown: "r" });
    // Without the window a use is still a use, but no use seen means nothing.
    expect(lastUseFields({ state: "used", last_used_at: ago(2) }, undefined)).toEqual({ last_used_at: ago(2) });
    expect(lastUseFields({ state: "not_used_since" }, undefined)).toEqual({ last_used_at: null, last_used_unknown: "the usage window read is not known" });
    expect(Date.parse(window.from)).toBeLessThanOrEqual(NOW.getTime() - 90 * DAY);
  });
});

describe("usageDaysNeeded: how far back an account's usage must be read", () => {
  const rules = policy(`version: 1
name: t
rules:
  - { id: unused-90d, kind: unused, days: 90, severity: high }
  - { id: unused-eu, kind: unused, days: 200, severity: high, scope: { accounts: ["*-eu"] } }
  - { id: unused-openai, kind: unused, days: 400, severity: high, scope: { providers: [openai] } }
  - { id: age, kind: key-age, days: 999, severity: low }
`);

  it("is the largest days of the unused rules that may reach the account", () => {
    expect(usageDaysNeeded(rules, { name: "anthropic", provider: "anthropic" })).toBe(90);
    expect(usageDaysNeeded(rules, { name: "anthropic-eu", provider: "anthropic" })).toBe(200);
    expect(usageDaysNeeded(rules, { name: "openai", provider: "openai" })).toBe(400);
  });

  it("is null when no unused rule applies: nothing to read", () => {
    expect(usageDaysNeeded(oneRule("kind: key-age, days: 9"), { name: "anthropic", provider: "anthropic" })).toBeNull();
    expect(usageDaysNeeded(oneRule("kind: unused, days: 9, scope: { providers: [openai] }"), { name: "anthropic", provider: "anthropic" })).toBeNull();
  });
});
