import { describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import type { KeyOwner, KeyRecord } from "../../src/model/inventory.js";
import { RULE_KINDS } from "../../src/policy/registry.js";
import { ACTION_KINDS } from "../../src/model/remediation.js";
import { ACTIONS_BY_RULE_KIND, actionKindsForRule, actionsFor, whyNoActions } from "../../src/decide/actions.js";

const ML = { id: "proj_ml", name: "ML", archived: false };
const OLD = { id: "proj_old", name: "Old", archived: true };
const USER: KeyOwner = { type: "user", id: "user_1", name: "Ann", email: "ann@example.com", role: "owner" };
const BOT: KeyOwner = { type: "service_account", id: "svc_bot", name: "bot", email: null, role: "owner" };

function key(id: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kind: "project",
    id,
    name: `name-${id}`,
    redacted_value: `sk-proj-...${id.slice(-4)}`,
    created_at: "2025-01-01T00:00:00.000Z",
    last_used_at: "2026-01-01T00:00:00.000Z",
    expires_at: null,
    project: ML,
    owner: USER,
    owner_access: "active",
    ...overrides,
  };
}

function findingOf(record: KeyRecord, ruleKind: string, ruleId = `${ruleKind}-rule`): RunFinding {
  const { project, owner, ...rest } = record;
  return { rule_id: ruleId, rule_kind: ruleKind, severity: "high", fingerprint: `fp-${record.id}-${ruleId}`, sentence: "s", key: rest, project, owner };
}

const userKey = key("key_user1");
const botKey1 = key("key_bot1", { owner: BOT, redacted_value: "sk-svcacct-...bot1" });
const botKey2 = key("key_bot2", { owner: BOT, redacted_value: "sk-svcacct-...bot2", last_used_at: null });
const otherBotKey = key("key_other", { owner: { ...BOT, id: "svc_other", name: "other" } });
// The same account id in another project is not the same account (accounts belong to one project).
const botKeyElsewhere = key("key_elsewhere", { owner: BOT, project: { id: "proj_x", name: "X", archived: false } });
const adminKey = key("key_admin1", { kind: "admin", project: null, redacted_value: "sk-admin-...x9Kp", owner_access: null });
const INVENTORY = [userKey, botKey1, botKey2, otherBotKey, botKeyElsewhere, adminKey];

describe("which actions fit which rule kind", () => {
  it("is said for every rule kind of the registry, and only actions that exist", () => {
    for (const kind of RULE_KINDS) {
      expect(ACTIONS_BY_RULE_KIND[kind].length, kind).toBeGreaterThan(0);
      for (const action of ACTIONS_BY_RULE_KIND[kind]) expect(ACTION_KINDS).toContain(action);
    }
  });

  it("demotes service accounts only for service-account-role findings", () => {
    for (const kind of RULE_KINDS) expect(actionKindsForRule(kind).includes("demote_service_account"), kind).toBe(kind === "service-account-role");
  });

  it("gives nothing for a kind this version does not know, nor for Object's own properties", () => {
    expect(actionKindsForRule("future-kind")).toEqual([]);
    expect(actionKindsForRule("toString")).toEqual([]);
    expect(actionsFor(findingOf(userKey, "future-kind"), INVENTORY)).toEqual([]);
    expect(whyNoActions(findingOf(userKey, "future-kind"))).toContain('does not remediate findings of rule kind "future-kind"');
  });
});

describe("actionsFor", () => {
  it("deletes a user's project key with the project key endpoint", () => {
    const actions = actionsFor(findingOf(userKey, "unused", "unused-90d"), INVENTORY);
    expect(actions).toEqual([
      {
        kind: "delete_project_key",
        target: { type: "project_key", id: "key_user1", name: "name-key_user1", project: ML },
        request: { method: "DELETE", path: "/organization/projects/proj_ml/api_keys/key_user1", body: null },
        keysAffected: [{ kind: "project", id: "key_user1", name: "name-key_user1", redacted_value: "sk-proj-...ser1", last_used_at: "2026-01-01T00:00:00.000Z", project_id: "proj_ml" }],
        summary: 'Delete project key "name-key_user1" (key_user1) of project "ML" (proj_ml)',
        finding: { rule_id: "unused-90d", rule_kind: "unused", fingerprint: "fp-key_user1-unused-90d", key_id: "key_user1" },
      },
    ]);
  });

  it("deletes an admin key with the admin key endpoint, whatever the rule kind", () => {
    for (const kind of RULE_KINDS) {
      const actions = actionsFor(findingOf(adminKey, kind), INVENTORY);
      expect(actions.map((a) => [a.kind, a.request]), kind).toEqual([["delete_admin_key", { method: "DELETE", path: "/organization/admin_api_keys/key_admin1", body: null }]]);
      expect(actions[0]?.keysAffected.map((k) => k.id)).toEqual(["key_admin1"]);
    }
  });

  it("never deletes a service account's key alone: the action deletes the account, listing every key it has in the project", () => {
    for (const kind of ["unused", "key-age", "owner-allowlist", "match"]) {
      const actions = actionsFor(findingOf(botKey2, kind), INVENTORY);
      expect(actions.map((a) => a.kind), kind).toEqual(["delete_service_account"]);
      const [action] = actions;
      expect(action?.request).toEqual({ method: "DELETE", path: "/organization/projects/proj_ml/service_accounts/svc_bot", body: null });
      // The finding's key first, then the others of the same account in the same project.
      expect(action?.keysAffected.map((k) => k.id)).toEqual(["key_bot2", "key_bot1"]);
      expect(action?.summary).toBe('Delete service account "bot" (svc_bot) of project "ML" (proj_ml) and with it all 2 of its keys (a service account\'s key cannot be deleted alone)');
    }
  });

  it("offers demotion (first) or deletion of the account for service-account-role findings", () => {
    const actions = actionsFor(findingOf(botKey1, "service-account-role"), INVENTORY);
    expect(actions.map((a) => a.kind)).toEqual(["demote_service_account", "delete_service_account"]);
    expect(actions[0]?.request).toEqual({ method: "POST", path: "/organization/projects/proj_ml/service_accounts/svc_bot", body: { role: "member" } });
    expect(actions[0]?.keysAffected.map((k) => k.id)).toEqual(["key_bot1", "key_bot2"]);
    expect(actions[0]?.target).toEqual({ type: "service_account", id: "svc_bot", name: "bot", project: ML, role: "owner" });
    expect(actions[0]?.summary).toContain("from owner to member (its 2 keys would keep working with less access)");
  });

  it("does not offer to demote an account that is already a member (any case), and demotes one of unknown role", () => {
    const member = key("key_m", { owner: { ...BOT, id: "svc_m", role: "Member" } });
    expect(actionsFor(findingOf(member, "service-account-role"), [member]).map((a) => a.kind)).toEqual(["delete_service_account"]);
    const unknown = key("key_u", { owner: { ...BOT, id: "svc_u", role: null } });
    const [demote] = actionsFor(findingOf(unknown, "service-account-role"), [unknown]);
    expect(demote?.kind).toBe("demote_service_account");
    expect(demote?.summary).toContain("from an unknown role to member (its key would keep working");
  });

  it("lists the finding's key even when the inventory lacks it, and takes last_used_at from the inventory when it has it", () => {
    const fresher = { ...botKey1, last_used_at: "2026-11-26T11:00:00.000Z" };
    const [action] = actionsFor(findingOf(botKey1, "unused"), [fresher]);
    expect(action?.keysAffected).toEqual([{ kind: "project", id: "key_bot1", name: "name-key_bot1", redacted_value: "sk-svcacct-...bot1", last_used_at: "2026-11-26T11:00:00.000Z", project_id: "proj_ml" }]);
    const [alone] = actionsFor(findingOf(botKey1, "unused"), []);
    expect(alone?.keysAffected.map((k) => [k.id, k.last_used_at])).toEqual([["key_bot1", "2026-01-01T00:00:00.000Z"]]);
    expect(alone?.summary).toContain("and with it its key (");
  });

  it("does not list a key twice when the inventory repeats it", () => {
    const [action] = actionsFor(findingOf(botKey1, "unused"), [botKey1, botKey2, botKey1, botKey2]);
    expect(action?.keysAffected.map((k) => k.id)).toEqual(["key_bot1", "key_bot2"]);
  });

  it("gives nothing for a key of an archived project, and says why", () => {
    const archived = key("key_arch", { project: OLD });
    expect(actionsFor(findingOf(archived, "match"), [archived])).toEqual([]);
    expect(whyNoActions(findingOf(archived, "match"))).toBe('project "Old" (proj_old) is archived: the Admin API does not change archived projects.');
  });

  it("puts no id into a path that does not look like an Admin API id", () => {
    const odd = [
      key("key/../../admin_api_keys/x"),
      key("key_ok", { project: { id: "proj ml?x=1", name: null, archived: false } }),
      key("key_ok2", { owner: { ...BOT, id: "svc/../x" } }),
      key("", {}),
    ];
    for (const record of odd) {
      const finding = findingOf(record, "unused");
      expect(actionsFor(finding, [record]), record.id).toEqual([]);
      expect(whyNoActions(finding), record.id).toContain("does not look like an Admin API id");
    }
  });

  it("gives nothing for a project key without a project", () => {
    const finding = { ...findingOf(userKey, "unused"), project: null };
    expect(actionsFor(finding, INVENTORY)).toEqual([]);
    expect(whyNoActions(finding)).toBe("the finding does not say which project the key belongs to.");
  });

  it("gives nothing for a service-account-role finding on a user's key (the rule never makes one), and says why", () => {
    expect(actionsFor(findingOf(userKey, "service-account-role"), INVENTORY)).toEqual([]);
    expect(whyNoActions(findingOf(userKey, "service-account-role"))).toBe("no action of a service-account-role rule fits a project key owned by a user.");
    const member = key("key_m", { owner: { ...BOT, id: "svc_m", role: "member" } });
    expect(whyNoActions(findingOf(member, "unused"), [member])).toBeNull();
  });

  it("is null from whyNoActions when something fits", () => {
    expect(whyNoActions(findingOf(userKey, "unused"), INVENTORY)).toBeNull();
  });
});
