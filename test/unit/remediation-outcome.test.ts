import { describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import type { KeyOwner, KeyRecord } from "../../src/model/inventory.js";
import type { RemediationAction } from "../../src/model/remediation.js";
import { actionsFor } from "../../src/decide/actions.js";
import { confirmOutcome, dryRunRequest } from "../../src/decide/outcome.js";

const X = { id: "proj_x", name: "X", archived: false };
const USER: KeyOwner = { type: "user", id: "user_1", name: "Ann", email: "ann@example.com", role: "owner" };
const BOT: KeyOwner = { type: "service_account", id: "svc_1", name: "bot", email: null, role: "owner" };

function key(id: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kind: "project",
    id,
    name: null,
    redacted_value: "sk-proj-...abcd",
    created_at: "2025-01-01T00:00:00.000Z",
    last_used_at: null,
    expires_at: null,
    project: X,
    owner: USER,
    owner_access: "active",
    ...overrides,
  };
}

function action(record: KeyRecord, ruleKind: string, kind: RemediationAction["kind"], inventory: KeyRecord[] = [record]): RemediationAction {
  const { project, owner, ...rest } = record;
  const finding: RunFinding = { rule_id: "r", rule_kind: ruleKind, severity: "high", fingerprint: "fp", sentence: "s", key: rest, project, owner };
  const found = actionsFor(finding, inventory).find((a) => a.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found;
}

const keyY = key("key_y");
const deleteKey = action(keyY, "unused", "delete_project_key");
const adminKey = key("key_adm", { kind: "admin", project: null, name: "ops", redacted_value: "sk-admin-...Ab1c", owner_access: null });
const deleteAdmin = action(adminKey, "key-age", "delete_admin_key");
const bot1 = key("key_b1", { owner: BOT });
const bot2 = key("key_b2", { owner: BOT });
const deleteAccount = action(bot1, "unused", "delete_service_account", [bot1, bot2]);
const demote = action(bot1, "service-account-role", "demote_service_account", [bot1, bot2]);
const SECRET = "sk-admin-THISISTHEREALADMINKEY0123456789";

describe("dryRunRequest", () => {
  it("says which request it would make", () => {
    expect(dryRunRequest(deleteKey)).toBe("would DELETE /organization/projects/proj_x/api_keys/key_y");
    expect(dryRunRequest(deleteAdmin)).toBe("would DELETE /organization/admin_api_keys/key_adm");
  });

  it("names every key a service account takes with it, and the demotion's body", () => {
    expect(dryRunRequest(deleteAccount)).toBe(
      'would DELETE /organization/projects/proj_x/service_accounts/svc_1 (deleting service account "bot" (svc_1) and with it its 2 keys: key_b1, key_b2)',
    );
    expect(dryRunRequest(demote)).toBe(
      'would POST /organization/projects/proj_x/service_accounts/svc_1 with {"role":"member"} (its 2 keys keep working with a member\'s access: key_b1, key_b2)',
    );
    const single = action(bot1, "unused", "delete_service_account");
    expect(dryRunRequest(single)).toBe('would DELETE /organization/projects/proj_x/service_accounts/svc_1 (deleting service account "bot" (svc_1) and with it its key: key_b1)');
    expect(dryRunRequest(action(bot1, "service-account-role", "demote_service_account"))).toContain("(its key keeps working with a member's access: key_b1)");
  });
});

describe("confirmOutcome after a 2xx", () => {
  it("is done when the listing no longer shows the key", () => {
    expect(confirmOutcome(deleteKey, { status: 200, body: { deleted: true } }, { keys: [{ id: "key_other" }] })).toEqual({
      status: "done",
      httpStatus: 200,
      message: "Deleted project key key_y; the listing no longer shows it.",
    });
    expect(confirmOutcome(deleteAdmin, { status: 200 }, { keys: [] })).toMatchObject({ status: "done", message: 'Deleted admin key "ops" (key_adm); the listing no longer shows it.' });
  });

  it("is unconfirmed when the listing still shows it, lacks the list needed, or could not be made", () => {
    expect(confirmOutcome(deleteKey, { status: 200 }, { keys: [{ id: "key_y" }] })).toEqual({
      status: "unconfirmed",
      httpStatus: 200,
      message: "DELETE /organization/projects/proj_x/api_keys/key_y answered 200, yet the listing after it still shows key key_y.",
    });
    expect(confirmOutcome(deleteKey, { status: 204 }, { serviceAccounts: [] })).toMatchObject({
      status: "unconfirmed",
      message: "DELETE /organization/projects/proj_x/api_keys/key_y answered 204, but the listing needed to confirm it is missing.",
    });
    expect(confirmOutcome(deleteKey, { status: 200 }, null)).toMatchObject({
      status: "unconfirmed",
      message: "DELETE /organization/projects/proj_x/api_keys/key_y answered 200, but Keywarden could not list again to confirm it.",
    });
  });

  it("confirms a service account's deletion only when the account and every one of its keys are gone", () => {
    expect(confirmOutcome(deleteAccount, { status: 200 }, { serviceAccounts: [{ id: "svc_2", role: "member" }], keys: [{ id: "key_z" }] })).toEqual({
      status: "done",
      httpStatus: 200,
      message: 'Deleted service account "bot" (svc_1); the listing shows neither it nor its keys (key_b1, key_b2).',
    });
    // Whether deleting an account revokes its keys is not documented: a key still listed is not done.
    expect(confirmOutcome(deleteAccount, { status: 200 }, { serviceAccounts: [], keys: [{ id: "key_b2" }] })).toMatchObject({
      status: "unconfirmed",
      message: "DELETE /organization/projects/proj_x/service_accounts/svc_1 answered 200, yet the listing after it still shows key key_b2.",
    });
    expect(confirmOutcome(deleteAccount, { status: 200 }, { serviceAccounts: [{ id: "svc_1", role: "owner" }], keys: [{ id: "key_b1" }] })).toMatchObject({
      status: "unconfirmed",
      message: expect.stringContaining("still shows service account svc_1, key key_b1."),
    });
    expect(confirmOutcome(deleteAccount, { status: 200 }, { serviceAccounts: [] })).toMatchObject({ status: "unconfirmed" });
    expect(confirmOutcome(deleteAccount, { status: 200 }, { keys: [] })).toMatchObject({ status: "unconfirmed" });
  });

  it("confirms a demotion when the account is listed as member (any case)", () => {
    expect(confirmOutcome(demote, { status: 200 }, { serviceAccounts: [{ id: "svc_1", role: "Member" }] })).toEqual({
      status: "done",
      httpStatus: 200,
      message: 'Demoted service account "bot" (svc_1) to member; the listing confirms it.',
    });
    expect(confirmOutcome(demote, { status: 200 }, { serviceAccounts: [{ id: "svc_1", role: "owner" }] })).toMatchObject({
      status: "unconfirmed",
      message: "POST /organization/projects/proj_x/service_accounts/svc_1 answered 200, yet the listing after it still shows service account svc_1 with role owner.",
    });
    expect(confirmOutcome(demote, { status: 200 }, { serviceAccounts: [] })).toMatchObject({ status: "unconfirmed", message: expect.stringContaining("it is no longer listed") });
    expect(confirmOutcome(demote, { status: 200 }, { keys: [] })).toMatchObject({ status: "unconfirmed" });
  });
});

describe("confirmOutcome after a 404", () => {
  it("counts a delete as already gone", () => {
    for (const deletion of [deleteKey, deleteAdmin, deleteAccount]) {
      expect(confirmOutcome(deletion, { status: 404, body: { error: { message: "not found" } } }, null)).toMatchObject({ status: "already_gone", httpStatus: 404 });
    }
    expect(confirmOutcome(deleteKey, { status: 404 }, { keys: [] }).message).toBe("project key key_y was already gone (DELETE /organization/projects/proj_x/api_keys/key_y answered 404).");
  });

  it("is unconfirmed when the listing still shows what the 404 said was gone", () => {
    expect(confirmOutcome(deleteKey, { status: 404 }, { keys: [{ id: "key_y" }] })).toMatchObject({
      status: "unconfirmed",
      message: "DELETE /organization/projects/proj_x/api_keys/key_y answered 404 (not found), yet the listing after it still shows key key_y: check the ids.",
    });
  });

  it("fails a demotion (the account to demote is not there)", () => {
    expect(confirmOutcome(demote, { status: 404, body: { error: { message: "No such service account" } } }, null)).toEqual({
      status: "failed",
      httpStatus: 404,
      message: "POST /organization/projects/proj_x/service_accounts/svc_1 failed: HTTP 404: No such service account",
    });
  });
});

describe("confirmOutcome after an error", () => {
  it("fails with the API's own message, and a hint where one helps", () => {
    const body = { error: { message: "API keys owned by service accounts cannot be deleted", type: "invalid_request_error" } };
    expect(confirmOutcome(deleteKey, { status: 400, body }, { keys: [] })).toEqual({
      status: "failed",
      httpStatus: 400,
      message:
        "DELETE /organization/projects/proj_x/api_keys/key_y failed: HTTP 400: API keys owned by service accounts cannot be deleted (a service account's key cannot be deleted alone: delete its service account)",
    });
    expect(confirmOutcome(deleteAdmin, { status: 403, body: JSON.stringify(body) }, null).message).toBe(
      "DELETE /organization/admin_api_keys/key_adm failed: HTTP 403: API keys owned by service accounts cannot be deleted (the admin key Keywarden runs with lacks the permission, or is wrong)",
    );
    expect(confirmOutcome(deleteAccount, { status: 400, body: "Project is archived" }, null).message).toBe(
      "DELETE /organization/projects/proj_x/service_accounts/svc_1 failed: HTTP 400: Project is archived (the API refuses to change service accounts of archived projects: was the project archived since?)",
    );
  });

  it("reads whatever body there is, on one short line", () => {
    expect(confirmOutcome(deleteKey, { status: 500 }, null).message).toBe("DELETE /organization/projects/proj_x/api_keys/key_y failed: HTTP 500");
    expect(confirmOutcome(deleteKey, { status: 502, body: "<html>\n  Bad   gateway\n</html>" }, null).message).toContain("HTTP 502: <html> Bad gateway </html>");
    expect(confirmOutcome(deleteKey, { status: 500, body: { oops: 1 } }, null).message).toContain('HTTP 500: {"oops":1}');
    expect(confirmOutcome(deleteKey, { status: 500, body: { error: "boom" } }, null).message).toContain("HTTP 500: boom");
    const long = confirmOutcome(deleteKey, { status: 500, body: "x".repeat(1000) }, null).message;
    expect(long.endsWith(`${"x".repeat(300)}…`)).toBe(true);
    expect(confirmOutcome(deleteKey, { status: 302 }, null)).toMatchObject({ status: "failed", httpStatus: 302 });
  });

  it("without an answer, lets the listing after it decide: gone is done, still there failed, no listing unconfirmed", () => {
    expect(confirmOutcome(deleteKey, { status: null, error: "timed out after 10000 ms" }, null)).toEqual({
      status: "unconfirmed",
      httpStatus: null,
      message:
        "DELETE /organization/projects/proj_x/api_keys/key_y got no answer (timed out after 10000 ms); it may or may not have taken effect, and Keywarden could not list again: check before retrying.",
    });
    expect(confirmOutcome(deleteKey, { status: null }, null).message).toContain("got no answer (no response)");
    expect(confirmOutcome(deleteKey, { status: null, error: "timed out" }, { keys: [] })).toMatchObject({ status: "done", message: expect.stringContaining("but it took effect") });
    expect(confirmOutcome(deleteKey, { status: null, error: "timed out" }, { keys: [{ id: "key_y" }] })).toMatchObject({ status: "failed", message: expect.stringContaining("did not take effect") });
  });

  it("never repeats a secret the API or the error echoed", () => {
    const outcomes = [
      confirmOutcome(deleteKey, { status: 401, body: { error: { message: `Incorrect API key provided: ${SECRET}` } } }, null, [SECRET]),
      confirmOutcome(deleteKey, { status: 401, body: `bad key ${SECRET}` }, null, []),
      confirmOutcome(deleteKey, { status: null, error: `fetch failed for Bearer ${SECRET}` }, null, [SECRET]),
      confirmOutcome(deleteKey, { status: 500, body: { error: { message: "token my-configured-secret-value leaked" } } }, null, ["my-configured-secret-value"]),
    ];
    for (const outcome of outcomes) {
      expect(outcome.message).not.toContain(SECRET);
      expect(outcome.message).not.toContain("my-configured-secret-value");
      expect(outcome.message).toContain("[REDACTED]");
    }
  });
});
