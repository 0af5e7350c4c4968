import { describe, expect, it } from "vitest";
import type { KeyOwner, KeyRecord, } from "../../src/model/inventory.js";
import { evaluate, formatPolicyError, loadPolicy } from "../../src/policy/index.js";
import { type KeyOverrides, NOW, ago, openaiKey as key } from "./policy-support.js";

const SECOND = 1_000;

function adminKey(overrides: KeyOverrides = {}): KeyRecord {
  return key({ kind: "admin", id: "admin_1", project: null, owner_access: null, owner: { role: "owner" }, ...overrides });
}

/** The sentences of the findings one rule (YAML flow mapping, without id) yields for one key. */
function sentences(rule: string, k: KeyRecord, now = NOW): string[] {
  const text = `version: 1\nname: test\nrules:\n  - { id: r, severity: high, ${rule} }\n`;
  const loaded = loadPolicy(text, "test.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return evaluate([k], loaded.policy, now).findings.map((finding) => finding.sentence);
}

describe("unused", () => {
  const rule = "kind: unused, days: 90";

  it("allows a key last used exactly N days ago", () => {
    expect(sentences(rule, key({ last_used_at: ago(90) }))).toEqual([]);
  });

  it("flags a key last used N days and one second ago", () => {
    expect(sentences(rule, key({ last_used_at: ago(90, SECOND) }))).toEqual(["last used 90 days ago, on 2026-08-26"]);
  });

  it("says how long ago and on which day", () => {
    expect(sentences(rule, key({ created_at: ago(400), last_used_at: ago(143) }))).toEqual(["last used 143 days ago, on 2026-07-04"]);
  });

  it("uses created_at when the key was never used", () => {
    expect(sentences(rule, key({ last_used_at: null, created_at: ago(90) }))).toEqual([]);
    expect(sentences(rule, key({ last_used_at: null, created_at: ago(120) }))).toEqual(["never used; created 120 days ago, on 2026-07-27"]);
  });

  it("ignores an old creation date once the key is used", () => {
    expect(sentences(rule, key({ created_at: ago(1000), last_used_at: ago(3) }))).toEqual([]);
  });

  it("writes one day in the singular", () => {
    expect(sentences("kind: unused, days: 1", key({ last_used_at: ago(1, SECOND) }))).toEqual(["last used 1 day ago, on 2026-11-23"]);
  });

  it("fails closed on an unreadable timestamp", () => {
    expect(sentences(rule, key({ last_used_at: "not a date" }))).toEqual(['last used at an unreadable time ("not a date")']);
  });
});

describe("key-age", () => {
  const rule = "kind: key-age, days: 365";

  it("allows a key exactly N days old and flags one a second older", () => {
    expect(sentences(rule, key({ created_at: ago(365) }))).toEqual([]);
    expect(sentences(rule, key({ created_at: ago(365, SECOND) }))).toEqual(["created 365 days ago, on 2025-11-24 (limit 365 days)"]);
  });

  it("names the age, the day and the limit", () => {
    expect(sentences(rule, key({ created_at: ago(500) }))).toEqual(["created 500 days ago, on 2025-07-12 (limit 365 days)"]);
  });

  it("looks at creation only, not use", () => {
    expect(sentences(rule, key({ created_at: ago(10), last_used_at: null }))).toEqual([]);
  });
});

describe("owner-allowlist", () => {
  const rule = 'kind: owner-allowlist, allow: { emails: ["*@example.com"], user_ids: ["user_root"], service_accounts: ["ci-*", "svc-??"] }';
  const user = (owner: Partial<KeyOwner>) => key({ owner: { type: "user", ...owner } });
  const serviceAccount = (owner: Partial<KeyOwner>) => key({ owner: { type: "service_account", email: null, role: "member", ...owner } });

  it("passes users whose email matches, whatever the case", () => {
    expect(sentences(rule, user({ email: "alice@example.com" }))).toEqual([]);
    expect(sentences(rule, user({ email: "Alice.Smith@EXAMPLE.COM" }))).toEqual([]);
    expect(sentences('kind: owner-allowlist, allow: { emails: ["*@Example.COM"] }', user({ email: "bob@example.com" }))).toEqual([]);
  });

  it("flags users whose email does not match, naming the owner", () => {
    expect(sentences(rule, user({ email: "mallory@gmail.com" }))).toEqual(["owner mallory@gmail.com (user) is not in the allowlist"]);
  });

  it("anchors globs at both ends", () => {
    expect(sentences(rule, user({ email: "eve@example.com.attacker.io" }))).toHaveLength(1);
    expect(sentences('kind: owner-allowlist, allow: { emails: ["alice@*"] }', user({ email: "malice@example.com" }))).toHaveLength(1);
  });

  it("treats regex characters in globs literally", () => {
    const dotted = 'kind: owner-allowlist, allow: { emails: ["a.b@example.com"] }';
    expect(sentences(dotted, user({ email: "a.b@example.com" }))).toEqual([]);
    expect(sentences(dotted, user({ email: "axb@example.com" }))).toHaveLength(1);
  });

  it("passes a user by id", () => {
    expect(sentences(rule, user({ id: "user_root", email: "root@elsewhere.org" }))).toEqual([]);
  });

  it("never matches a missing email, even with a catch-all email glob", () => {
    expect(sentences(rule, user({ id: "user_x", name: null, email: null }))).toEqual(["owner user_x has no email and is not in the allowlist"]);
    expect(sentences('kind: owner-allowlist, allow: { emails: ["*"] }', user({ id: "user_x", name: null, email: null }))).toHaveLength(1);
    expect(sentences(rule, user({ id: "user_x", name: "Xavier", email: null }))).toEqual(["owner Xavier (user_x) has no email and is not in the allowlist"]);
  });

  it("passes service accounts by name or id, with * and ?", () => {
    expect(sentences(rule, serviceAccount({ name: "ci-deploy" }))).toEqual([]);
    expect(sentences(rule, serviceAccount({ name: "CI-Deploy" }))).toEqual([]);
    expect(sentences(rule, serviceAccount({ name: "svc-01" }))).toEqual([]);
    expect(sentences(rule, serviceAccount({ name: null, id: "ci-bot-id" }))).toEqual([]);
  });

  it("flags service accounts outside the allowlist", () => {
    expect(sentences(rule, serviceAccount({ name: "svc-001" }))).toEqual(["owner svc-001 (service account) is not in the allowlist"]);
    expect(sentences(rule, serviceAccount({ name: "deploy-bot" }))).toEqual(["owner deploy-bot (service account) is not in the allowlist"]);
    expect(sentences(rule, serviceAccount({ name: null, id: "sa_123" }))).toEqual(["owner sa_123 (service account) is not in the allowlist"]);
  });

  it("does not let a user pass through the service-account list, nor the reverse", () => {
    expect(sentences(rule, user({ name: "ci-alice", email: "alice@gmail.com" }))).toHaveLength(1);
    expect(sentences('kind: owner-allowlist, allow: { emails: ["*"] }', serviceAccount({ name: "ci-deploy" }))).toHaveLength(1);
  });
});

describe("service-account-role", () => {
  const rule = "kind: service-account-role, roles: [owner]";
  const serviceAccount = (role: string | null) => key({ owner: { type: "service_account", name: "deploy-bot", email: null, role } });

  it("flags a service account with a listed role", () => {
    expect(sentences(rule, serviceAccount("owner"))).toEqual(["owned by service account deploy-bot with role owner"]);
  });

  it("compares roles case-insensitively", () => {
    expect(sentences(rule, serviceAccount("Owner"))).toEqual(["owned by service account deploy-bot with role Owner"]);
    expect(sentences("kind: service-account-role, roles: [OWNER]", serviceAccount("owner"))).toHaveLength(1);
  });

  it("flags a service account whose role is unknown (fail closed)", () => {
    expect(sentences(rule, serviceAccount(null))).toEqual(["owned by service account deploy-bot whose role is unknown"]);
  });

  it("leaves other roles and users alone", () => {
    expect(sentences(rule, serviceAccount("member"))).toEqual([]);
    expect(sentences(rule, key({ owner: { type: "user", role: "owner" } }))).toEqual([]);
  });

  it("names the service account by id when it has no name", () => {
    const nameless = key({ owner: { type: "service_account", id: "sa_9", name: null, email: null, role: "owner" } });
    expect(sentences(rule, nameless)).toEqual(["owned by service account sa_9 with role owner"]);
  });
});

describe("match", () => {
  const where = (condition: string) => `kind: match, where: ${condition}`;

  it("eq", () => {
    expect(sentences(where("{ field: kind, eq: admin }"), adminKey())).toEqual(["kind = admin"]);
    expect(sentences(where("{ field: kind, eq: admin }"), key())).toEqual([]);
    expect(sentences(where("{ field: project.archived, eq: true }"), key({ project: { archived: true } }))).toEqual(["project.archived = true"]);
    expect(sentences(where("{ field: project.archived, eq: false }"), adminKey())).toEqual([]);
  });

  it("ne", () => {
    expect(sentences(where("{ field: owner.role, ne: owner }"), key())).toEqual(["owner.role != owner"]);
    expect(sentences(where("{ field: owner.role, ne: owner }"), key({ owner: { role: "owner" } }))).toEqual([]);
    expect(sentences(where('{ field: name, ne: "x" }'), key({ name: null }))).toHaveLength(1);
  });

  it("in", () => {
    const condition = where("{ field: owner.role, in: [owner, admin] }");
    expect(sentences(condition, key({ owner: { role: "admin" } }))).toEqual(["owner.role in [owner, admin]"]);
    expect(sentences(condition, key({ owner: { role: "member" } }))).toEqual([]);
    expect(sentences(condition, key({ owner: { role: null } }))).toEqual([]);
  });

  it("glob (case-insensitive; a missing value never matches)", () => {
    const condition = where('{ field: name, glob: "ci-*" }');
    expect(sentences(condition, key({ name: "CI-nightly" }))).toEqual(['name matches "ci-*"']);
    expect(sentences(condition, key({ name: "nightly-ci" }))).toEqual([]);
    expect(sentences(condition, key({ name: null }))).toEqual([]);
    expect(sentences(where('{ field: owner.email, glob: "?ob@*" }'), key({ owner: { email: "bob@x.io" } }))).toHaveLength(1);
  });

  it("older-than, at its boundary", () => {
    const condition = where("{ field: created_at, older-than: 90d }");
    expect(sentences(condition, key({ created_at: ago(90) }))).toEqual([]);
    expect(sentences(condition, key({ created_at: ago(90, SECOND) }))).toEqual(["created_at older than 90d (2026-08-26)"]);
    expect(sentences(where("{ field: created_at, older-than: 2w }"), key({ created_at: ago(15) }))).toHaveLength(1);
    expect(sentences(where("{ field: created_at, older-than: 2w }"), key({ created_at: ago(13) }))).toEqual([]);
  });

  it("newer-than", () => {
    const condition = where("{ field: created_at, newer-than: 12h }");
    expect(sentences(condition, key({ created_at: ago(0, 11 * 3_600_000) }))).toEqual(["created_at newer than 12h (2026-11-24)"]);
    expect(sentences(condition, key({ created_at: ago(0, 13 * 3_600_000) }))).toEqual([]);
  });

  it("older-than and newer-than never match a missing date", () => {
    expect(sentences(where("{ field: last_used_at, older-than: 1d }"), key({ last_used_at: null }))).toEqual([]);
    expect(sentences(where("{ field: expires_at, newer-than: 1d }"), key({ expires_at: null }))).toEqual([]);
  });

  it("absent", () => {
    expect(sentences(where("{ field: expires_at, absent: true }"), key())).toEqual(["expires_at is absent"]);
    expect(sentences(where("{ field: expires_at, absent: false }"), key())).toEqual([]);
    expect(sentences(where("{ field: expires_at, absent: false }"), key({ expires_at: ago(-30) }))).toEqual(["expires_at is present"]);
    expect(sentences(where("{ field: project.id, absent: true }"), adminKey())).toEqual(["project.id is absent"]);
  });

  it("all", () => {
    const condition = where("{ all: [ { field: kind, eq: admin }, { field: expires_at, absent: true } ] }");
    expect(sentences(condition, adminKey())).toEqual(["kind = admin and expires_at is absent"]);
    expect(sentences(condition, adminKey({ expires_at: ago(-30) }))).toEqual([]);
    expect(sentences(condition, key())).toEqual([]);
  });

  it("any names only the alternatives that held", () => {
    const condition = where("{ any: [ { field: owner_access, eq: inactive }, { field: project.archived, eq: true } ] }");
    expect(sentences(condition, key({ project: { archived: true } }))).toEqual(["project.archived = true"]);
    expect(sentences(condition, key({ owner_access: "inactive", project: { archived: true } }))).toEqual([
      "owner_access = inactive or project.archived = true",
    ]);
    expect(sentences(condition, key())).toEqual([]);
  });

  it("not", () => {
    const condition = where('{ not: { field: owner.email, glob: "*@example.com" } }');
    expect(sentences(condition, key({ owner: { email: "x@gmail.com" } }))).toEqual(['not (owner.email matches "*@example.com")']);
    expect(sentences(condition, key())).toEqual([]);
  });

  it("nests all, any and not, parenthesizing groups", () => {
    const condition = where(
      '{ all: [ { field: kind, eq: project }, { any: [ { field: name, glob: "*prod*" }, { field: project.name, glob: "*-prod" } ] }, { not: { all: [ { field: owner.type, eq: service_account }, { field: owner.name, glob: "ci-*" } ] } } ] }',
    );
    expect(sentences(condition, key({ name: "prod api", owner: { type: "user" } }))).toEqual([
      'kind = project and (name matches "*prod*" or project.name matches "*-prod") and not (owner.type = service_account and owner.name matches "ci-*")',
    ]);
    expect(sentences(condition, key({ owner: { type: "service_account", name: "ci-deploy" } }))).toEqual([]);
    expect(sentences(condition, key({ name: "dev", project: { name: "web-dev" } }))).toEqual([]);
  });

  it("prefers the rule's description as the sentence", () => {
    const rule = "kind: match, description: admin key never expires, where: { all: [ { field: kind, eq: admin }, { field: expires_at, absent: true } ] }";
    expect(sentences(rule, adminKey())).toEqual(["admin key never expires"]);
  });
});

describe("scope", () => {
  const rule = (scope: string) => `kind: match, where: { field: id, glob: "*" }, scope: ${scope}`;
  const archivedKey = key({ project: { archived: true } });

  it("applies to every key without a scope", () => {
    expect(sentences('kind: match, where: { field: id, glob: "*" }', key())).toHaveLength(1);
    expect(sentences('kind: match, where: { field: id, glob: "*" }', adminKey())).toHaveLength(1);
  });

  it("kinds", () => {
    expect(sentences(rule("{ kinds: [admin] }"), adminKey())).toHaveLength(1);
    expect(sentences(rule("{ kinds: [admin] }"), key())).toEqual([]);
    expect(sentences(rule("{ kinds: [project] }"), adminKey())).toEqual([]);
    expect(sentences(rule("{ kinds: [admin, project] }"), key())).toHaveLength(1);
  });

  it("projects by id or by name glob, never admin keys", () => {
    expect(sentences(rule("{ projects: [proj_web] }"), key())).toHaveLength(1);
    expect(sentences(rule('{ projects: ["*-PROD"] }'), key())).toHaveLength(1);
    expect(sentences(rule('{ projects: [proj_other, "ml-*"] }'), key())).toEqual([]);
    expect(sentences(rule('{ projects: ["*"] }'), adminKey())).toEqual([]);
    expect(sentences(rule('{ projects: ["*"] }'), key({ project: { name: null } }))).toEqual([]);
    expect(sentences(rule("{ projects: [proj_web] }"), key({ project: { name: null } }))).toHaveLength(1);
  });

  it("archived: include (the default)", () => {
    expect(sentences(rule("{ archived: include }"), archivedKey)).toHaveLength(1);
    expect(sentences(rule("{ archived: include }"), key())).toHaveLength(1);
    expect(sentences(rule("{ archived: include }"), adminKey())).toHaveLength(1);
  });

  it("archived: exclude skips archived projects' keys but keeps admin keys", () => {
    expect(sentences(rule("{ archived: exclude }"), archivedKey)).toEqual([]);
    expect(sentences(rule("{ archived: exclude }"), key())).toHaveLength(1);
    expect(sentences(rule("{ archived: exclude }"), adminKey())).toHaveLength(1);
  });

  it("archived: only keeps archived projects' keys, never admin keys", () => {
    expect(sentences(rule("{ archived: only }"), archivedKey)).toHaveLength(1);
    expect(sentences(rule("{ archived: only }"), key())).toEqual([]);
    expect(sentences(rule("{ archived: only }"), adminKey())).toEqual([]);
  });

  it("combines kinds, projects and archived", () => {
    const combined = rule('{ kinds: [project], projects: ["web-*"], archived: exclude }');
    expect(sentences(combined, key())).toHaveLength(1);
    expect(sentences(combined, archivedKey)).toEqual([]);
    expect(sentences(combined, key({ project: { name: "ml-prod" } }))).toEqual([]);
  });
});
