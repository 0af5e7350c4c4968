import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import type { KeyOwner, KeyRecord } from "../../src/model/inventory.js";
import type { RemediationAction } from "../../src/model/remediation.js";
import { actionsFor } from "../../src/decide/actions.js";
import { GUARDS } from "../../src/decide/refusal.js";
import {
  type GuardContext,
  type GuardResult,
  type PendingRequest,
  type RequestInput,
  approvalsNeeded,
  checkApproval,
  checkRequest,
  keysInUse,
  requestExpiresAt,
  utcDay,
} from "../../src/decide/guards.js";
import { DEFAULT_REMEDIATION_SETTINGS } from "../../src/config.js";

const NOW = new Date("2026-11-26T12:00:00.000Z");
const HOUR = 60 * 60 * 1000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const OWN_ADMIN_KEY = `sk-admin-${"Z".repeat(40)}x9Kp`;

const ML = { id: "proj_ml", name: "ML", archived: false };
const USER: KeyOwner = { type: "user", id: "user_1", name: "Ann", email: "ann@example.com", role: "owner" };
const BOT: KeyOwner = { type: "service_account", id: "svc_bot", name: "bot", email: null, role: "owner" };

function key(id: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kind: "project",
    id,
    name: `name-${id}`,
    redacted_value: `sk-proj-...${id.slice(-4)}`,
    created_at: "2025-01-01T00:00:00.000Z",
    last_used_at: ago(30 * 24 * HOUR),
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
const botKey1 = key("key_bot1", { owner: BOT });
const botKey2 = key("key_bot2", { owner: BOT, last_used_at: null });
const ownAdmin = key("key_own", { kind: "admin", project: null, name: "keywarden", redacted_value: "sk-admin-...x9Kp", owner_access: null });
const otherAdmin = key("key_adm2", { kind: "admin", project: null, name: "ops", redacted_value: "sk-admin-...Ab1c", owner_access: null });
const INVENTORY = [userKey, botKey1, botKey2, ownAdmin, otherAdmin];

function context(overrides: Partial<GuardContext> = {}): GuardContext {
  return {
    settings: { mode: "on", approvals: 2, maxPerDay: 5 },
    allowedUsers: ["U_ANN", "U_BOB", "U_CAT"],
    ownAdminKey: OWN_ADMIN_KEY,
    inventoryKeys: INVENTORY,
    executedToday: 0,
    now: NOW,
    ...overrides,
  };
}

function plan(finding: RunFinding, kind: RemediationAction["kind"], inventory: readonly KeyRecord[] = INVENTORY): RemediationAction {
  const action = actionsFor(finding, inventory).find((a) => a.kind === kind);
  if (!action) throw new Error(`no ${kind} for ${finding.key.id}`);
  return action;
}

function requestFor(record: KeyRecord, ruleKind: string, kind: RemediationAction["kind"], overrides: Partial<RequestInput> = {}): RequestInput {
  const finding = findingOf(record, ruleKind);
  return { finding, action: plan(finding, kind), requestedBy: "U_ANN", acknowledgedInUse: false, ...overrides };
}

function pending(input: RequestInput, overrides: Partial<PendingRequest> = {}): PendingRequest {
  return { ...input, requestedAt: ago(HOUR), approvedBy: [], ...overrides };
}

function refusal(result: GuardResult): { guard: string; message: string } {
  if (result.ok) throw new Error("expected a refusal");
  return { guard: result.guard, message: result.message };
}

const deleteUserKey = requestFor(userKey, "unused", "delete_project_key");

describe("the mode guard", () => {
  it("is off by default, and off refuses every request and every approval", () => {
    expect(DEFAULT_REMEDIATION_SETTINGS.mode).toBe("off");
    const off = context({ settings: DEFAULT_REMEDIATION_SETTINGS });
    const message =
      "Refused by the mode guard: remediation is off (REMEDIATION=off, the default): Keywarden deletes nothing. Set REMEDIATION to dry-run or on to allow requests.";
    expect(refusal(checkRequest(deleteUserKey, off))).toEqual({ guard: "mode", message });
    expect(refusal(checkApproval(pending(deleteUserKey), "U_BOB", off))).toEqual({ guard: "mode", message });
  });

  it("refuses a mode it does not know", () => {
    const odd = context({ settings: { mode: "yes" as never, approvals: 2, maxPerDay: 5 } });
    expect(refusal(checkRequest(deleteUserKey, odd)).guard).toBe("mode");
  });

  it("lets dry-run through every guard like on, and says it is a dry run", () => {
    const dry = checkRequest(deleteUserKey, context({ settings: { mode: "dry-run", approvals: 2, maxPerDay: 5 } }));
    expect(dry).toMatchObject({ ok: true, mode: "dry-run", approvals: 1, approvalsNeeded: 2, ready: false });
    expect(checkRequest(deleteUserKey, context())).toMatchObject({ ok: true, mode: "on" });
    // The same refusals as on: the dry run predicts what on would do.
    const full = context({ settings: { mode: "dry-run", approvals: 2, maxPerDay: 5 }, executedToday: 5 });
    expect(refusal(checkRequest(deleteUserKey, full)).guard).toBe("daily-cap");
  });
});

describe("the allowed-user guard", () => {
  it("refuses a requester who is not allowed", () => {
    expect(refusal(checkRequest({ ...deleteUserKey, requestedBy: "U_EVE" }, context()))).toEqual({
      guard: "allowed-user",
      message: "Refused by the allowed-user guard: the requester U_EVE is not among the users allowed to remediate (SLACK_ALLOWED_USERS).",
    });
    expect(refusal(checkRequest({ ...deleteUserKey, requestedBy: "" }, context())).message).toContain("the requester (unknown user) is not among");
  });

  it("allows nobody when the list is empty", () => {
    expect(refusal(checkRequest(deleteUserKey, context({ allowedUsers: [] })))).toEqual({
      guard: "allowed-user",
      message: "Refused by the allowed-user guard: no user is allowed to remediate: SLACK_ALLOWED_USERS is empty.",
    });
  });

  it("refuses an approver who is not allowed, and a requester removed from the list since", () => {
    expect(refusal(checkApproval(pending(deleteUserKey), "U_EVE", context()))).toEqual({
      guard: "allowed-user",
      message: "Refused by the allowed-user guard: U_EVE is not among the users allowed to approve remediations (SLACK_ALLOWED_USERS).",
    });
    expect(refusal(checkApproval(pending(deleteUserKey), "U_BOB", context({ allowedUsers: ["U_BOB"] }))).message).toBe(
      "Refused by the allowed-user guard: the requester U_ANN is not among the users allowed to remediate (SLACK_ALLOWED_USERS).",
    );
  });
});

describe("approvals", () => {
  it("by default needs the requester and one other allowed user", () => {
    expect(checkRequest(deleteUserKey, context())).toMatchObject({ ok: true, approvals: 1, approvalsNeeded: 2, ready: false });
    expect(checkApproval(pending(deleteUserKey), "U_BOB", context())).toMatchObject({ ok: true, approvals: 2, approvalsNeeded: 2, ready: true });
  });

  it("never lets the requester approve their own request", () => {
    expect(refusal(checkApproval(pending(deleteUserKey), "U_ANN", context()))).toEqual({
      guard: "second-approver",
      message: "Refused by the second-approver guard: U_ANN made this request and cannot approve it too: another allowed user must approve it.",
    });
  });

  it("counts each approver once", () => {
    const three = context({ settings: { mode: "on", approvals: 3, maxPerDay: 5 } });
    expect(checkApproval(pending(deleteUserKey), "U_BOB", three)).toMatchObject({ ok: true, approvals: 2, approvalsNeeded: 3, ready: false });
    expect(refusal(checkApproval(pending(deleteUserKey, { approvedBy: ["U_BOB"] }), "U_BOB", three))).toEqual({
      guard: "second-approver",
      message: "Refused by the second-approver guard: U_BOB has already approved this request: another allowed user must approve it.",
    });
    expect(checkApproval(pending(deleteUserKey, { approvedBy: ["U_BOB"] }), "U_CAT", three)).toMatchObject({ ok: true, approvals: 3, ready: true });
  });

  it("with REMEDIATION_APPROVALS=1, a request is ready at once and takes no approval", () => {
    const one = context({ settings: { mode: "on", approvals: 1, maxPerDay: 5 } });
    expect(checkRequest(deleteUserKey, one)).toMatchObject({ ok: true, approvals: 1, approvalsNeeded: 1, ready: true });
    expect(refusal(checkApproval(pending(deleteUserKey), "U_BOB", one))).toEqual({
      guard: "approvals",
      message: "Refused by the approvals guard: this request already has the 1 approval it needs (REMEDIATION_APPROVALS=1); it needs no more.",
    });
  });

  it("refuses an approval once the request has all it needs", () => {
    expect(refusal(checkApproval(pending(deleteUserKey, { approvedBy: ["U_BOB"] }), "U_CAT", context())).guard).toBe("approvals");
  });

  it("falls back to 2 when the setting given is not a whole number of at least 1", () => {
    for (const approvals of [0, -1, 1.5, Number.NaN]) expect(approvalsNeeded({ approvals }), String(approvals)).toBe(2);
    expect(approvalsNeeded({ approvals: 1 })).toBe(1);
    expect(approvalsNeeded({ approvals: 4 })).toBe(4);
  });
});

describe("the expiry guard", () => {
  it("lets a request be approved until 24 hours after it was made, not after", () => {
    expect(checkApproval(pending(deleteUserKey, { requestedAt: ago(24 * HOUR - 1) }), "U_BOB", context())).toMatchObject({ ok: true });
    expect(refusal(checkApproval(pending(deleteUserKey, { requestedAt: "2026-11-25T12:00:00.000Z" }), "U_BOB", context()))).toEqual({
      guard: "expiry",
      message: "Refused by the expiry guard: this request was made at 2026-11-25T12:00:00.000Z and expired 24 hours later, at 2026-11-26T12:00:00.000Z; request it again.",
    });
  });

  it("counts a request whose time cannot be read as expired", () => {
    expect(refusal(checkApproval(pending(deleteUserKey, { requestedAt: "yesterday" }), "U_BOB", context()))).toEqual({
      guard: "expiry",
      message: "Refused by the expiry guard: the time this request was made cannot be read, so it counts as expired; request it again.",
    });
    expect(requestExpiresAt("yesterday")).toBeNull();
    expect(requestExpiresAt("2026-11-26T00:00:00Z")).toBe("2026-11-27T00:00:00.000Z");
  });
});

describe("the policy guards", () => {
  it("refuse a rule the policy's allowed_rules leave out", () => {
    const policy = { allowed_rules: ["key-age-rule", "match-rule"] };
    expect(refusal(checkRequest(deleteUserKey, context({ policy })))).toEqual({
      guard: "policy-rules",
      message:
        "Refused by the policy-rules guard: the policy's remediation.allowed_rules (key-age-rule, match-rule) do not include rule unused-rule; findings of other rules are not remediated from Slack.",
    });
    expect(checkRequest(deleteUserKey, context({ policy: { allowed_rules: ["unused-rule"] } }))).toMatchObject({ ok: true });
  });

  it("refuse an action the policy's actions leave out", () => {
    const policy = { actions: ["demote_service_account" as const] };
    expect(refusal(checkRequest(deleteUserKey, context({ policy })))).toEqual({
      guard: "policy-actions",
      message: "Refused by the policy-actions guard: the policy's remediation.actions (demote_service_account) do not include delete_project_key.",
    });
    expect(checkRequest(requestFor(botKey1, "service-account-role", "demote_service_account"), context({ policy }))).toMatchObject({ ok: true });
  });

  it("narrow nothing when the policy has no remediation section, or leaves a list out", () => {
    expect(checkRequest(deleteUserKey, context({ policy: undefined }))).toMatchObject({ ok: true });
    expect(checkRequest(deleteUserKey, context({ policy: {} }))).toMatchObject({ ok: true });
  });

  it("apply again at approval", () => {
    expect(refusal(checkApproval(pending(deleteUserKey), "U_BOB", context({ policy: { actions: ["delete_admin_key"] } }))).guard).toBe("policy-actions");
  });
});

describe("the fits-finding guard", () => {
  it("refuses an action planned for another finding", () => {
    const other = requestFor(botKey1, "unused", "delete_service_account");
    expect(refusal(checkRequest({ ...deleteUserKey, action: other.action }, context()))).toEqual({
      guard: "fits-finding",
      message: "Refused by the fits-finding guard: the action was planned for another finding (key key_bot1, rule unused-rule), not this one.",
    });
  });

  it("refuses an action that does not fit the finding's rule kind", () => {
    const demote = requestFor(botKey1, "service-account-role", "demote_service_account");
    const unusedFinding = { ...demote.finding, rule_kind: "unused" };
    expect(refusal(checkRequest({ ...demote, finding: unusedFinding }, context()))).toEqual({
      guard: "fits-finding",
      message:
        "Refused by the fits-finding guard: demote_service_account does not fit this finding (rule service-account-role-rule, kind unused, key key_bot1): what fits: delete_service_account.",
    });
  });

  it("refuses a request whose path was changed", () => {
    const tampered = { ...deleteUserKey.action, request: { ...deleteUserKey.action.request, path: "/organization/projects/proj_ml/api_keys/key_other" } };
    expect(refusal(checkRequest({ ...deleteUserKey, action: tampered }, context())).message).toBe(
      "Refused by the fits-finding guard: the request planned (DELETE /organization/projects/proj_ml/api_keys/key_other) is not the one this finding gives now (DELETE /organization/projects/proj_ml/api_keys/key_user1); request it again.",
    );
  });

  it("refuses at approval when the service account gained a key since the request", () => {
    const request = pending(requestFor(botKey1, "unused", "delete_service_account"));
    const botKey3 = key("key_bot3", { owner: BOT });
    expect(refusal(checkApproval(request, "U_BOB", context({ inventoryKeys: [...INVENTORY, botKey3] })))).toEqual({
      guard: "fits-finding",
      message:
        "Refused by the fits-finding guard: the keys the action affects changed since it was requested (then: key_bot1, key_bot2; now: key_bot1, key_bot2, key_bot3); request it again to review the new list.",
    });
  });

  it("refuses at approval when a key of the service account was replaced by another since the request (same count, other id)", () => {
    const request = pending(requestFor(botKey1, "unused", "delete_service_account"));
    const replacement = key("key_bot9", { owner: BOT, last_used_at: null });
    const inventory = INVENTORY.filter((k) => k.id !== "key_bot2").concat(replacement);
    expect(refusal(checkApproval(request, "U_BOB", context({ inventoryKeys: inventory })))).toEqual({
      guard: "fits-finding",
      message:
        "Refused by the fits-finding guard: the keys the action affects changed since it was requested (then: key_bot1, key_bot2; now: key_bot1, key_bot9); request it again to review the new list.",
    });
  });

  it("refuses at approval when the project was archived since, saying so", () => {
    const request = pending(deleteUserKey);
    const archivedFinding = { ...request.finding, project: { ...ML, archived: true } };
    expect(refusal(checkApproval({ ...request, finding: archivedFinding }, "U_BOB", context())).message).toBe(
      'Refused by the fits-finding guard: delete_project_key does not fit this finding (rule unused-rule, kind unused, key key_user1): project "ML" (proj_ml) is archived: the Admin API does not change archived projects.',
    );
  });

  it("gives back the plan made from the current inventory", () => {
    const result = checkRequest(requestFor(botKey1, "unused", "delete_service_account"), context());
    expect(result.ok && result.action.keysAffected.map((k) => k.id)).toEqual(["key_bot1", "key_bot2"]);
  });
});

describe("the own-admin-key guard", () => {
  it("never deletes the admin key Keywarden runs with", () => {
    expect(refusal(checkRequest(requestFor(ownAdmin, "key-age", "delete_admin_key"), context()))).toEqual({
      guard: "own-admin-key",
      message:
        'Refused by the own-admin-key guard: admin key "keywarden" (key_own, sk-admin-...x9Kp) ends like the key Keywarden runs with (OPENAI_ADMIN_KEY): deleting it would cut Keywarden off.',
    });
    expect(checkRequest(requestFor(otherAdmin, "key-age", "delete_admin_key"), context())).toMatchObject({ ok: true });
  });

  it("refuses when two admin keys share the configured key's end", () => {
    const twin = key("key_twin", { kind: "admin", project: null, name: null, redacted_value: "sk-admin-...x9Kp", owner_access: null });
    const result = refusal(checkRequest(requestFor(twin, "key-age", "delete_admin_key"), context({ inventoryKeys: [...INVENTORY, twin] })));
    expect(result).toEqual({
      guard: "own-admin-key",
      message:
        'Refused by the own-admin-key guard: admin key key_twin (sk-admin-...x9Kp) and "keywarden" (key_own, sk-admin-...x9Kp) end like the key Keywarden runs with (OPENAI_ADMIN_KEY): Keywarden cannot tell which one it is, so it deletes none of them.',
    });
  });

  it("refuses an admin key whose redacted value cannot be read, or any admin key when the configured key is unknown", () => {
    const odd = key("key_odd", { kind: "admin", project: null, name: null, redacted_value: "sk-admin-x9Kp", owner_access: null });
    expect(refusal(checkRequest(requestFor(odd, "key-age", "delete_admin_key"), context({ inventoryKeys: [...INVENTORY, odd] }))).guard).toBe("own-admin-key");
    expect(refusal(checkRequest(requestFor(otherAdmin, "key-age", "delete_admin_key"), context({ ownAdminKey: undefined }))).message).toContain(
      "the admin key Keywarden runs with (OPENAI_ADMIN_KEY) is not set or cannot be read",
    );
  });

  it("does not stand in the way of project keys, and never shows the configured key", () => {
    expect(checkRequest(deleteUserKey, context({ ownAdminKey: undefined }))).toMatchObject({ ok: true });
    const result = checkRequest(requestFor(ownAdmin, "key-age", "delete_admin_key"), context());
    expect(JSON.stringify(result)).not.toContain(OWN_ADMIN_KEY);
  });

  it("holds at approval too", () => {
    const request = pending(requestFor(ownAdmin, "key-age", "delete_admin_key"));
    expect(refusal(checkApproval(request, "U_BOB", context())).guard).toBe("own-admin-key");
  });
});

describe("the in-use guard", () => {
  const recentUserKey = key("key_user1", { last_used_at: ago(3 * HOUR) });

  it("refuses to touch a key used in the last 24 hours unless the requester acknowledged it", () => {
    const request = requestFor(recentUserKey, "owner-allowlist", "delete_project_key");
    const ctx = context({ inventoryKeys: [recentUserKey] });
    expect(refusal(checkRequest(request, ctx))).toEqual({
      guard: "in-use",
      message: `Refused by the in-use guard: key "name-key_user1" (key_user1, last used ${ago(3 * HOUR)}, 3 h ago) was used in the last 24 hours: deleting it may break whatever uses it. Request it again acknowledging that the key is in use.`,
    });
    const acknowledged = checkRequest({ ...request, acknowledgedInUse: true }, ctx);
    expect(acknowledged).toMatchObject({ ok: true });
    expect(acknowledged.ok && acknowledged.inUse.map((k) => k.id)).toEqual(["key_user1"]);
  });

  it("reads last_used_at from the current inventory, not from the finding", () => {
    // The finding says 30 days ago; the inventory of today says 10 minutes ago.
    const request = requestFor(userKey, "unused", "delete_project_key");
    expect(refusal(checkRequest(request, context({ inventoryKeys: [recentUserKey] }))).message).toContain("3 h ago");
    expect(refusal(checkApproval(pending(request), "U_BOB", context({ inventoryKeys: [{ ...userKey, last_used_at: ago(10 * 60 * 1000) }] }))).message).toContain(
      "10 min ago",
    );
  });

  it("looks at every key a service-account action touches", () => {
    const busy = key("key_bot2", { owner: BOT, last_used_at: ago(HOUR) });
    const inventory = [userKey, botKey1, busy];
    const finding = findingOf(botKey1, "service-account-role");
    const ctx = context({ inventoryKeys: inventory });
    const deletion = { finding, action: plan(finding, "delete_service_account", inventory), requestedBy: "U_ANN", acknowledgedInUse: false };
    expect(refusal(checkRequest(deletion, ctx)).message).toContain(`"name-key_bot2" (key_bot2, last used ${ago(HOUR)}, 1 h ago)`);
    expect(refusal(checkRequest(deletion, ctx)).message).toContain("deleting its service account may break");
    const demotion = { ...deletion, action: plan(finding, "demote_service_account", inventory) };
    expect(refusal(checkRequest(demotion, ctx)).message).toContain("demoting its service account may break");
  });

  it("names every key in use", () => {
    const inventory = [key("key_bot1", { owner: BOT, last_used_at: ago(HOUR) }), key("key_bot2", { owner: BOT, last_used_at: ago(2 * HOUR) })];
    const finding = findingOf(botKey1, "unused");
    const message = refusal(checkRequest({ finding, action: plan(finding, "delete_service_account", inventory), requestedBy: "U_ANN", acknowledgedInUse: false }, context({ inventoryKeys: inventory }))).message;
    expect(message).toContain("keys ");
    expect(message).toContain("key_bot1");
    expect(message).toContain("key_bot2");
    expect(message).toContain("were used in the last 24 hours: deleting its service account may break whatever uses them.");
  });

  it("counts 24 hours exactly as no longer in use, and a future or unreadable time as in use", () => {
    const at = (last_used_at: string | null) => ({ kind: "project" as const, id: "k", name: null, redacted_value: "sk-...abcd", last_used_at, project_id: "p" });
    expect(keysInUse([at(ago(24 * HOUR))], NOW)).toEqual([]);
    expect(keysInUse([at(ago(24 * HOUR - 1))], NOW)).toHaveLength(1);
    expect(keysInUse([at(null)], NOW)).toEqual([]);
    expect(keysInUse([at(new Date(NOW.getTime() + HOUR).toISOString())], NOW)).toHaveLength(1);
    expect(keysInUse([at("not a time")], NOW)).toHaveLength(1);
  });

  it("says so when the time is in the future or unreadable", () => {
    const future = new Date(NOW.getTime() + HOUR).toISOString();
    const inFuture = key("key_user1", { last_used_at: future });
    expect(refusal(checkRequest(deleteUserKey, context({ inventoryKeys: [inFuture] }))).message).toContain(`(key_user1, last used ${future}, in the future)`);
    const unreadable = key("key_user1", { last_used_at: "soon" });
    expect(refusal(checkRequest(deleteUserKey, context({ inventoryKeys: [unreadable] }))).message).toContain('(key_user1, last used at an unreadable time ("soon"))');
  });
});

describe("the daily-cap guard", () => {
  it("allows up to REMEDIATION_MAX_PER_DAY executed actions per UTC day", () => {
    expect(checkRequest(deleteUserKey, context({ executedToday: 4 }))).toMatchObject({ ok: true });
    expect(refusal(checkRequest(deleteUserKey, context({ executedToday: 5 })))).toEqual({
      guard: "daily-cap",
      message: "Refused by the daily-cap guard: 5 actions were already executed today (2026-11-26, UTC), and REMEDIATION_MAX_PER_DAY allows 5; try again after 2026-11-27T00:00:00.000Z.",
    });
    const one = context({ settings: { mode: "on", approvals: 2, maxPerDay: 1 }, executedToday: 1 });
    expect(refusal(checkRequest(deleteUserKey, one)).message).toContain("1 action was already executed today");
  });

  it("holds at approval", () => {
    expect(refusal(checkApproval(pending(deleteUserKey), "U_BOB", context({ executedToday: 7 }))).guard).toBe("daily-cap");
  });

  it("refuses when the day's count is unknown, or the cap is not a whole number of at least 1", () => {
    for (const executedToday of [-1, 1.5, Number.NaN]) {
      expect(refusal(checkRequest(deleteUserKey, context({ executedToday }))).message, String(executedToday)).toBe(
        "Refused by the daily-cap guard: the number of actions executed today is unknown, so Keywarden cannot tell whether REMEDIATION_MAX_PER_DAY is reached.",
      );
    }
    expect(refusal(checkRequest(deleteUserKey, context({ settings: { mode: "on", approvals: 2, maxPerDay: 0 } }))).guard).toBe("daily-cap");
  });

  it("counts UTC days", () => {
    expect(utcDay(new Date("2026-11-26T23:59:59.999Z"))).toBe("2026-11-26");
    expect(utcDay(new Date("2026-11-27T00:00:00.000Z"))).toBe("2026-11-27");
  });
});

describe("properties of the guards", () => {
  // Mostly allowed users, so that enough cases get past every guard.
  const user = fc.oneof({ arbitrary: fc.constantFrom("U_ANN", "U_BOB", "U_CAT"), weight: 4 }, { arbitrary: fc.constantFrom("U_EVE", ""), weight: 1 });
  const settings = fc.record({
    mode: fc.constantFrom("off" as const, "dry-run" as const, "on" as const),
    approvals: fc.integer({ min: 1, max: 5 }),
    maxPerDay: fc.integer({ min: 1, max: 10 }),
  });
  const requestKind = fc.constantFrom(
    () => deleteUserKey,
    () => requestFor(botKey1, "service-account-role", "demote_service_account"),
    () => requestFor(botKey1, "unused", "delete_service_account"),
    () => requestFor(otherAdmin, "match", "delete_admin_key"),
    () => requestFor(ownAdmin, "match", "delete_admin_key"),
  );

  it("an approval never passes when the mode is off, the approver is the requester or not allowed, the request is 24 hours old, or the cap is reached", () => {
    fc.assert(
      fc.property(
        requestKind,
        user,
        user,
        fc.uniqueArray(user, { maxLength: 2 }),
        settings,
        fc.integer({ min: 0, max: 30 * 60 }),
        fc.integer({ min: 0, max: 6 }),
        fc.boolean(),
        (make, requester, approver, approvedBy, s, ageMinutes, executedToday, acknowledgedInUse) => {
          const allowedUsers = ["U_ANN", "U_BOB", "U_CAT"];
          const request = pending({ ...make(), requestedBy: requester, acknowledgedInUse }, { requestedAt: ago(ageMinutes * 60_000), approvedBy });
          const result = checkApproval(request, approver, context({ settings: s, allowedUsers, executedToday }));
          if (!result.ok) {
            expect(GUARDS).toContain(result.guard);
            expect(result.message.startsWith(`Refused by the ${result.guard} guard: `)).toBe(true);
            expect(result.message).toMatch(/[.!?]$/);
            expect(result.message).not.toContain(OWN_ADMIN_KEY);
            return;
          }
          expect(s.mode).not.toBe("off");
          expect(approver).not.toBe(requester);
          expect(allowedUsers).toContain(approver);
          expect(allowedUsers).toContain(requester);
          expect(approvedBy).not.toContain(approver);
          expect(ageMinutes).toBeLessThan(24 * 60);
          expect(executedToday).toBeLessThan(s.maxPerDay);
          expect(result.action.keysAffected.map((k) => k.id)).not.toContain("key_own");
          expect(result.mode).toBe(s.mode);
          expect(result.ready).toBe(result.approvals >= s.approvals);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a request becomes ready only once REMEDIATION_APPROVALS different allowed people agreed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(user, { maxLength: 8 }), (approvals, approvers) => {
        const ctx = context({ settings: { mode: "on", approvals, maxPerDay: 5 }, allowedUsers: ["U_ANN", "U_BOB", "U_CAT", "U_DAN", "U_FAY", "U_GUS"] });
        let state = pending(deleteUserKey);
        let ready = checkRequest(deleteUserKey, ctx).ok && approvals === 1;
        for (const approver of approvers) {
          const result = checkApproval(state, approver, ctx);
          if (!result.ok) continue;
          expect(ready).toBe(false);
          state = { ...state, approvedBy: [...state.approvedBy, approver] };
          ready = result.ready;
        }
        const people = new Set([state.requestedBy, ...state.approvedBy]);
        expect(people.size).toBe(1 + state.approvedBy.length);
        expect(ready).toBe(people.size >= approvals);
      }),
    );
  });
});
