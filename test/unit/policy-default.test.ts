import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { checkPolicyFiles } from "../../src/cli/policy-check.js";
import type { KeyOwner, KeyRecord, ProjectRef } from "../../src/model/inventory.js";
import { type Policy, evaluate, formatPolicyError, loadPolicy, renderPolicySchema } from "../../src/policy/index.js";
import type { ApiKeyJson } from "../../src/providers/anthropic/schemas.js";
import { listedAnthropicKey } from "./policy-support.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEFAULT_PATH = join(ROOT, "policies", "default.yaml");
const SCHEMA_PATH = join(ROOT, "policies", "policy.schema.json");
const DEFAULT_TEXT = readFileSync(DEFAULT_PATH, "utf8");

const NOW = new Date("2026-11-24T12:00:00.000Z");
const DAY = 86_400_000;

function ago(days: number): string {
  return new Date(NOW.getTime() - days * DAY).toISOString();
}

type KeyOverrides = Partial<Omit<KeyRecord, "owner" | "project">> & { owner?: Partial<KeyOwner>; project?: Partial<ProjectRef> | null };

/** A key the default policy has nothing against; override what a test is about. */
function key(id: string, overrides: KeyOverrides = {}): KeyRecord {
  const { owner, project, ...rest } = overrides;
  return {
    kind: "project",
    id,
    name: id,
    redacted_value: "sk-proj-...abcd",
    created_at: ago(30),
    last_used_at: ago(1),
    expires_at: null,
    owner_access: "active",
    ...rest,
    project: project === null ? null : { id: "proj_web", name: "web", archived: false, ...project },
    owner: { type: "user", id: "user_alice", name: "Alice", email: "alice@example.com", role: "member", ...owner },
  };
}

function load(text: string): Policy {
  const loaded = loadPolicy(text, "policies/default.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return loaded.policy;
}

/** `rule_id key_id: sentence` for each finding. */
function findings(keys: KeyRecord[], policy = load(DEFAULT_TEXT)): string[] {
  return evaluate(keys, policy, NOW).findings.map((finding) => `${finding.rule_id} ${finding.key.id}: ${finding.sentence}`);
}

describe("policies/default.yaml", () => {
  it("loads, with the rule ids other code relies on", () => {
    const policy = load(DEFAULT_TEXT);
    expect(policy.name).toBe("default");
    expect(policy.exemptions).toEqual([]);
    expect(policy.rules.map((rule) => `${rule.id} ${rule.kind} ${rule.severity}`)).toEqual([
      "unused-90d unused high",
      "owner-not-allowed owner-allowlist medium",
      "service-account-owner service-account-role critical",
      "key-age-365d key-age medium",
      "admin-key-no-expiry match medium",
      "owner-lost-access match high",
      "archived-project-key match low",
    ]);
  });

  it("has nothing against a healthy key", () => {
    expect(findings([key("key_ok"), key("key_ci", { owner: { type: "service_account", name: "ci-deploy", email: null, role: "member" } })])).toEqual([]);
    expect(findings([key("admin_ok", { kind: "admin", project: null, owner_access: null, expires_at: ago(-90) })])).toEqual([]);
  });

  it("unused-90d", () => {
    expect(findings([key("key_idle", { last_used_at: ago(120) })])).toEqual(["unused-90d key_idle: last used 120 days ago, on 2026-07-27"]);
  });

  it("owner-not-allowed", () => {
    expect(
      findings([
        key("key_mallory", { owner: { email: "mallory@gmail.com" } }),
        key("key_bot", { owner: { type: "service_account", name: "deploy-bot", email: null, role: "member" } }),
        key("key_svc", { owner: { type: "service_account", name: "svc-billing", email: null, role: "member" } }),
        key("key_upper", { owner: { email: "Bob@EXAMPLE.com" } }),
      ]),
    ).toEqual([
      "owner-not-allowed key_bot: owner deploy-bot (service account) is not in the allowlist",
      "owner-not-allowed key_mallory: owner mallory@gmail.com (user) is not in the allowlist",
    ]);
  });

  it("service-account-owner", () => {
    expect(findings([key("key_sa", { owner: { type: "service_account", name: "ci-release", email: null, role: "owner" } })])).toEqual([
      "service-account-owner key_sa: owned by service account ci-release with role owner",
    ]);
  });

  it("key-age-365d", () => {
    expect(findings([key("key_old", { created_at: ago(400) })])).toEqual(["key-age-365d key_old: created 400 days ago, on 2025-10-20 (limit 365 days)"]);
  });

  it("admin-key-no-expiry", () => {
    const admin = key("admin_1", { kind: "admin", project: null, owner_access: null, owner: { role: "owner" } });
    expect(findings([admin])).toEqual(["admin-key-no-expiry admin_1: admin key never expires"]);
    expect(findings([{ ...admin, expires_at: ago(-30) }])).toEqual([]);
  });

  it("owner-lost-access", () => {
    expect(findings([key("key_left", { owner_access: "inactive" })])).toEqual(["owner-lost-access key_left: owner no longer has access to the project"]);
  });

  it("archived-project-key, for project keys only", () => {
    expect(findings([key("key_archived", { project: { archived: true } })])).toEqual([
      "archived-project-key key_archived: key still enabled in an archived project",
    ]);
  });

  it("fires every one of its rules on a mixed inventory, worst first", () => {
    const keys = [
      key("key_idle", { last_used_at: ago(120) }),
      key("key_mallory", { owner: { email: "mallory@gmail.com" } }),
      key("key_sa", { owner: { type: "service_account", name: "ci-release", email: null, role: "owner" } }),
      key("key_old", { created_at: ago(400) }),
      key("admin_1", { kind: "admin", project: null, owner_access: null }),
      key("key_left", { owner_access: "inactive" }),
      key("key_archived", { project: { archived: true } }),
    ];
    const result = evaluate(keys, load(DEFAULT_TEXT), NOW);
    expect(result.findings.map((finding) => finding.rule_id)).toEqual([
      "service-account-owner",
      "owner-lost-access",
      "unused-90d",
      "admin-key-no-expiry",
      "key-age-365d",
      "owner-not-allowed",
      "archived-project-key",
    ]);
  });

  it("its commented exemption example is valid once uncommented", () => {
    const uncommented = DEFAULT_TEXT.replace("exemptions: []", "exemptions:").replace(/^# {2}(?=[- ] )/gm, "  ");
    const policy = load(uncommented);
    expect(policy.exemptions).toEqual([
      { rule: "unused-90d", key: "key_abc123", reason: "break-glass key, reviewed quarterly", expires: "2027-03-01", approved_by: "security@example.com" },
    ]);
    const result = evaluate([key("key_abc123", { last_used_at: ago(200) })], policy, NOW);
    expect(result.findings).toEqual([]);
    expect(result.exemptions.map((exemption) => exemption.key_id)).toEqual(["key_abc123"]);
  });
});

describe("policies/policy.schema.json", () => {
  it("is current with the zod schema", () => {
    const committed = readFileSync(SCHEMA_PATH, "utf8");
    expect(committed, "policies/policy.schema.json is stale: run `npm run policy:schema`").toBe(renderPolicySchema());
  });

  it("is a draft 2020-12 schema with an id and a title", () => {
    const schema = JSON.parse(renderPolicySchema()) as Record<string, unknown>;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toBe("Keywarden policy");
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("npm run policy:check", () => {
  const dir = mkdtempSync(join(tmpdir(), "keywarden-policy-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints ok with the counts for a valid policy", () => {
    const lines: string[] = [];
    expect(checkPolicyFiles([DEFAULT_PATH], (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toBe(`ok ${DEFAULT_PATH} (7 rules, 0 exemptions)`);
    // The shipped allowlist is the example domain: said, without failing the check.
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^warning .*: rules\[1\] \(owner-not-allowed\) still allows \*@example\.com, the example domain/)]);
  });

  it("prints each error as file:line:col path: message and counts the failure", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "version: 1\nname: bad\nrules:\n  - id: a\n    kind: unsed\n    severity: high\n");
    const lines: string[] = [];
    expect(checkPolicyFiles([bad, DEFAULT_PATH, join(dir, "missing.yaml")], (line) => lines.push(line))).toBe(2);
    expect(lines[0]).toBe(`${bad}:5:11 rules[0].kind: unknown rule kind "unsed"; expected one of: unused, key-age, owner-allowlist, service-account-role, match`);
    expect(lines[1]).toMatch(/^ok /);
    expect(lines[2]).toMatch(/^warning .*example\.com/);
    expect(lines[3]).toMatch(/missing\.yaml:1:1 cannot read the file/);
  });
});

describe("policies/default.yaml on Anthropic keys", () => {
  const usedYesterday = { last_used_at: ago(1), last_used_known_since: ago(90) };
  /** An active Anthropic key as listed and normalized, its last use read; healthy unless overridden. */
  const anthropic = (json: Partial<ApiKeyJson> = {}, extra: Partial<KeyRecord> = {}): KeyRecord => ({
    ...listedAnthropicKey({ id: "apikey_ok", created_at: ago(30), ...json }),
    ...usedYesterday,
    ...extra,
  });

  it("has nothing against a healthy key, whether owned by its principal or its creator", () => {
    expect(findings([anthropic(), anthropic({ id: "apikey_creator", principal: null })])).toEqual([]);
  });

  it("unused-90d decides from usage, and leaves undecided what the usage cannot say", () => {
    expect(findings([anthropic({ id: "apikey_idle", created_at: ago(200) }, { last_used_at: null, last_used_known_since: ago(90) })])).toEqual([
      "unused-90d apikey_idle: no use since 2026-08-26 (as far back as usage was read); created 200 days ago, on 2026-05-08",
    ]);
    const unreadable = anthropic({ id: "apikey_unknown", created_at: ago(200) }, { last_used_at: null, last_used_known_since: undefined, last_used_unknown: "the usage analytics could not be read: HTTP 500" });
    const result = evaluate([unreadable], load(DEFAULT_TEXT), NOW);
    expect(result.findings).toEqual([]);
    expect(result.undecided).toEqual([
      { rule_id: "unused-90d", key_id: "apikey_unknown", account: "anthropic", reason: "last use unknown: the usage analytics could not be read: HTTP 500" },
    ]);
  });

  it("owner-not-allowed checks the principal, else the creator; a service account by id; no owner at all is said", () => {
    expect(
      findings([
        anthropic({ id: "apikey_sa", principal: { type: "service_account_actor", service_account_id: "svcacct_01" } }),
        anthropic({ id: "apikey_nobody", principal: null, created_by: null }),
        anthropic({ id: "apikey_stranger", principal: { type: "user_actor", user_id: "user_gone" } }),
      ]),
    ).toEqual([
      "owner-not-allowed apikey_nobody: no owner is known (the key has neither a principal nor a creator), so none is in the allowlist",
      "owner-not-allowed apikey_sa: owner svcacct_01 (service account) is not in the allowlist",
      "owner-not-allowed apikey_stranger: owner user_gone has no email and is not in the allowlist",
    ]);
  });

  it("service-account-owner is OpenAI's only: an Anthropic service account's role cannot be read", () => {
    const key = anthropic({ id: "apikey_sa", principal: { type: "service_account_actor", service_account_id: "svcacct_01" } });
    expect(key.owner.role).toBeNull();
    expect(findings([key]).filter((line) => line.startsWith("service-account-owner"))).toEqual([]);
    // The rule kind itself fails closed on the unknown role.
    const unscoped = load(DEFAULT_TEXT.replace("    scope: { providers: [openai] }\n", ""));
    expect(findings([key], unscoped)).toContain("service-account-owner apikey_sa: owned by service account svcacct_01 whose role is unknown");
  });

  it("key-age-365d from creation; admin-key-no-expiry and owner-lost-access never fire (no admin keys, no owner access)", () => {
    expect(findings([anthropic({ id: "apikey_old", created_at: ago(400) })])).toEqual(["key-age-365d apikey_old: created 400 days ago, on 2025-10-20 (limit 365 days)"]);
    expect(findings([anthropic({ id: "apikey_org", scope: { type: "organization" }, expires_at: null })])).toEqual([]);
  });

  it("archived-project-key flags an active key of an archived workspace", () => {
    expect(findings([anthropic({ id: "apikey_archived" }, { project: { id: "wrkspc_prod", name: "prod", archived: true } })])).toEqual([
      "archived-project-key apikey_archived: key still enabled in an archived project",
    ]);
  });

  it("a key that is not active is inventory: no rule of the default policy fires", () => {
    for (const status of ["inactive", "archived", "expired"] as const) {
      const broken = anthropic({ id: `apikey_${status}`, status, created_at: ago(400), principal: null, created_by: null }, { last_used_at: null, last_used_known_since: undefined, last_used_unknown: "down" });
      const result = evaluate([broken], load(DEFAULT_TEXT), NOW);
      expect([result.findings, result.undecided]).toEqual([[], []]);
    }
  });
});
