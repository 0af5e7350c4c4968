/**
 * Disable and Re-enable (Anthropic keys) as use cases, driven in Node through in-memory ports: the
 * same guard path as Revoke (REMEDIATION mode, two people, daily cap, in-use check, never the key
 * Keywarden runs with), confirmed by reading the key again; Re-enable offered for 7 days on the
 * carried-out Disable's message, itself a request another allowed user approves.
 */
import { describe, expect, it } from "vitest";
import { actionsFor } from "../../src/decide/actions.js";
import { IN_USE_BLOCK, REASON_BLOCK } from "../../src/decide/form.js";
import type { KeyActions } from "../../src/decide/ports.js";
import { keyActionsByProvider } from "../../src/decide/provider-keys.js";
import { openReenableForm, submitReenable } from "../../src/decide/reenable.js";
import { approveRemediation } from "../../src/decide/revoke-approval.js";
import { requestState } from "../../src/decide/revoke-execution.js";
import { openRevokeForm, submitRevoke } from "../../src/decide/revoke-request.js";
import { KEY_STATUS_SET, type ListedKey, type RemediationAction } from "../../src/model/remediation.js";
import type { RunFinding } from "../../src/model/run.js";
import { requestMessage } from "../../src/slack/remediation-blocks.js";
import { ANN, BOB, NOW, RUN_ID, decideInMemory, keyRecordOf, userKeyFinding } from "./decide-support.js";

const ANTHROPIC_ADMIN_KEY = "sk-ant-admin01-decide-test-0123456789abcdefWXYZ";
const DAY = 24 * 60 * 60 * 1000;
const REASON = { [REASON_BLOCK]: { value: { value: "unused since July; its owner moved teams" } } };
const ACKNOWLEDGED = { ...REASON, [IN_USE_BLOCK]: { value: { selected_options: [{ value: "acknowledged" }] } } };

/** An Anthropic workspace key, unused for months: `unused-90d` of the default policy fits. */
function anthropicFinding(overrides: Partial<RunFinding["key"]> = {}): RunFinding {
  return {
    rule_id: "unused-90d",
    rule_kind: "unused",
    severity: "high",
    fingerprint: "fp_ant_bob",
    sentence: "key bob experiments was last used 143 days ago",
    key: {
      kind: "project",
      id: "apikey_research_bob",
      name: "bob experiments",
      redacted_value: "sk-ant-api03-res...bbob",
      created_at: "2026-05-19T06:00:00.000Z",
      last_used_at: "2026-07-06T00:00:00.000Z",
      expires_at: null,
      owner_access: null,
      provider: "anthropic",
      account: "anthropic",
      status: "active",
      ...overrides,
    },
    project: { id: "wrkspc_research", name: "research", archived: false },
    owner: { type: "user", id: "user_ant_bob", name: "Bob Chen", email: "bob@example.com", role: "developer" },
  };
}

/** The Anthropic side in memory: one key whose status the calls set; `stuck` answers 200 yet changes nothing. */
function fakeAnthropic(key: ListedKey, options: { stuck?: boolean } = {}) {
  const calls: RemediationAction[] = [];
  const port: KeyActions = {
    freshKeysFor: async () => ({ ok: true, items: [{ ...key }] }),
    async call(action) {
      calls.push(action);
      if (!options.stuck && (action.kind === "disable_key" || action.kind === "reenable_key")) key.status = KEY_STATUS_SET[action.kind];
      return { status: 200, body: { id: key.id, status: key.status } };
    },
    listingAfter: async () => ({ keys: [{ id: key.id, status: key.status ?? "active" }] }),
  };
  return { port, calls, key };
}

/** The decisions wired for an Anthropic finding: both accounts configured, the Anthropic port behind the provider router. */
function anthropicWorld(options: { finding?: RunFinding; remediation?: Parameters<typeof decideInMemory>[0]["remediation"]; key?: Partial<ListedKey>; stuck?: boolean } = {}) {
  const finding = options.finding ?? anthropicFinding();
  const world = decideInMemory({ finding, remediation: options.remediation, owner: { kind: "found", id: "U_BOBCHEN" } });
  const anthropic = fakeAnthropic({ ...keyRecordOf(finding), ...options.key }, { stuck: options.stuck });
  world.deps.keys = keyActionsByProvider({ openai: () => world.keys, anthropic: (account) => (account === "anthropic" ? anthropic.port : null) });
  world.deps.settings = {
    ...world.deps.settings,
    secrets: [...world.deps.settings.secrets, ANTHROPIC_ADMIN_KEY],
    accounts: [...world.deps.settings.accounts, { name: "anthropic", provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: ANTHROPIC_ADMIN_KEY, baseUrl: "https://api.anthropic.com" }],
  };
  return { ...world, anthropic, finding };
}

/** Ann opens Revoke… on the finding and submits it; the request's id. */
async function disableRequestedByAnn(world: ReturnType<typeof anthropicWorld>, values: typeof REASON = REASON): Promise<string> {
  expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: world.finding.fingerprint })).toEqual({ ok: true });
  const metadata = world.shown.revokeMetadata.at(-1);
  if (!metadata) throw new Error("no form was opened");
  const submitted = await submitRevoke(world.deps, ANN, metadata, values);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
  await submitted.after();
  const posted = world.shown.posted.at(-1);
  if (!posted) throw new Error("the request was not posted");
  return posted.id;
}

/** A carried-out Disable: Ann requests it, Bob approves it. */
async function disabled(world: ReturnType<typeof anthropicWorld>): Promise<string> {
  const id = await disableRequestedByAnn(world);
  expect(await approveRemediation(world.deps, BOB, id)).toMatchObject({ ok: true });
  return id;
}

const at = (ms: number) => ({ now: () => new Date(NOW.getTime() + ms) });

describe("Disable, offered only for Anthropic findings", () => {
  it("an Anthropic key's finding is disabled, never deleted; an OpenAI key's is never disabled", () => {
    const anthropic = anthropicFinding();
    const [only, ...more] = actionsFor(anthropic, []);
    expect(more).toEqual([]);
    expect(only).toMatchObject({
      kind: "disable_key",
      target: { type: "api_key", id: "apikey_research_bob", account: "anthropic" },
      request: { method: "POST", path: "/v1/organizations/api_keys/apikey_research_bob", body: { status: "inactive" } },
    });
    expect(actionsFor(userKeyFinding(), [keyRecordOf(userKeyFinding())]).map((a) => a.kind)).toEqual(["delete_project_key"]);
    // Only an active key can be disabled.
    expect(actionsFor(anthropicFinding({ status: "inactive" }), [])).toEqual([]);
  });

  it("the Revoke… form offers Disable for an Anthropic finding", async () => {
    const world = anthropicWorld();
    expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: world.finding.fingerprint })).toEqual({ ok: true });
    const metadata = JSON.parse(world.shown.revokeMetadata[0] ?? "{}") as { k: Record<string, string> };
    expect(Object.keys(metadata.k)).toEqual(["disable_key"]);
  });
});

describe("Disable, through the guards of any remediation", () => {
  it("needs two people: the requester cannot approve; another allowed user's approval disables the key and reading it again confirms it", async () => {
    const world = anthropicWorld();
    const id = await disableRequestedByAnn(world);
    expect(await approveRemediation(world.deps, ANN, id)).toEqual({ ok: false, message: expect.stringContaining("U_ANN made this request and cannot approve it too") });
    expect(world.anthropic.calls).toEqual([]);

    const answer = await approveRemediation(world.deps, BOB, id);
    expect(answer).toEqual({ ok: true, message: expect.stringContaining(`${id}: done: Disabled Anthropic key "bob experiments" (apikey_research_bob); read again, it is inactive.`) });
    expect(world.anthropic.calls.map((a) => `${a.request.method} ${a.request.path} ${JSON.stringify(a.request.body)}`)).toEqual([
      'POST /v1/organizations/api_keys/apikey_research_bob {"status":"inactive"}',
    ]);
    expect(world.anthropic.key.status).toBe("inactive");
    expect(await world.remediations.get(id)).toMatchObject({ status: "done", action_kind: "disable_key", http_status: 200 });
    expect(world.shown.toldOwners).toEqual(["U_BOBCHEN"]);
    // The OpenAI side was never asked anything.
    expect(world.keys.calls).toEqual([]);
  });

  it("under REMEDIATION=dry-run the approved Disable is described and nothing is called", async () => {
    const world = anthropicWorld({ remediation: { mode: "dry-run" } });
    const id = await disableRequestedByAnn(world);
    const answer = await approveRemediation(world.deps, BOB, id);
    expect(answer).toEqual({ ok: true, message: expect.stringContaining('would POST /v1/organizations/api_keys/apikey_research_bob with {"status":"inactive"}') });
    expect(world.anthropic.calls).toEqual([]);
    expect(world.anthropic.key.status).toBe("active");
    expect(await world.remediations.get(id)).toMatchObject({ status: "dry_run" });
    // Nothing was disabled, so nothing is offered to re-enable.
    expect(world.shown.updated.at(-1)?.reenable).toBeUndefined();
  });

  it("a key read back still active after the call is unconfirmed, not done", async () => {
    const world = anthropicWorld({ stuck: true });
    const id = await disableRequestedByAnn(world);
    const answer = await approveRemediation(world.deps, BOB, id);
    expect(answer).toEqual({ ok: false, message: expect.stringContaining("unconfirmed") });
    expect(await world.remediations.get(id)).toMatchObject({ status: "unconfirmed", outcome: expect.stringContaining("still shows key apikey_research_bob active") });
    expect(world.shown.toldOwners).toEqual([]);
  });

  it("a key whose last use is unknown is treated as in use: the form asks for the acknowledgement, and the refusal says why", async () => {
    const world = anthropicWorld({ key: { last_used_unknown: "the usage analytics could not be read: HTTP 500" } });
    expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: world.finding.fingerprint })).toEqual({ ok: true });
    const metadata = world.shown.revokeMetadata[0] ?? "";
    const refused = await submitRevoke(world.deps, ANN, metadata, REASON);
    expect(refused.ok).toBe(false);
    const message = refused.ok ? "" : Object.values(refused.errors).join(" ");
    expect(message).toContain("Refused by the in-use guard");
    expect(message).toContain("last use unknown: the usage analytics could not be read: HTTP 500");
    expect(message).toContain("or may have been (Keywarden cannot tell)");
    expect(await world.remediations.openFor(world.finding.fingerprint)).toBeNull();

    const id = await disableRequestedByAnn(world, ACKNOWLEDGED);
    expect(await world.remediations.get(id)).toMatchObject({ status: "pending", acknowledged_in_use: 1 });
  });

  it("never a key whose hint reads like an admin key, nor one ending like the account's admin key", async () => {
    for (const hint of ["sk-ant-admin01-abc...WXYZ", "sk-ant-api03-xyz...wxyz"]) {
      const world = anthropicWorld({ finding: anthropicFinding({ redacted_value: hint }), key: { redacted_value: hint } });
      expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: world.finding.fingerprint })).toEqual({ ok: true });
      const submitted = await submitRevoke(world.deps, ANN, world.shown.revokeMetadata[0] ?? "", REASON);
      expect(submitted.ok, hint).toBe(false);
      expect(submitted.ok ? "" : Object.values(submitted.errors).join(" ")).toContain("Refused by the own-admin-key guard");
      expect(submitted.ok ? "" : Object.values(submitted.errors).join(" ")).not.toContain(ANTHROPIC_ADMIN_KEY);
    }
  });

  it("the daily cap counts Disables like any action", async () => {
    const world = anthropicWorld({ remediation: { maxPerDay: 1 } });
    // Another finding's deletion executed today already.
    await world.remediations.create(otherRequest(world));
    expect(await world.remediations.claim("rem_other", "on", "2026-11-26", NOW.toISOString(), 5)).toBe("claimed");
    expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: world.finding.fingerprint })).toEqual({ ok: true });
    const submitted = await submitRevoke(world.deps, ANN, world.shown.revokeMetadata[0] ?? "", REASON);
    expect(submitted.ok ? "" : Object.values(submitted.errors).join(" ")).toContain("Refused by the daily-cap guard");
  });
});

/** A stored request of another finding, to fill the day's cap. */
function otherRequest(world: ReturnType<typeof anthropicWorld>) {
  const finding = userKeyFinding({ fingerprint: "fp_other" });
  return {
    id: "rem_other",
    fingerprint: "fp_other",
    policy_name: "default",
    rule_id: finding.rule_id,
    key_id: finding.key.id,
    action_kind: "delete_project_key",
    summary: "Delete project key",
    action_json: JSON.stringify(actionsFor(finding, [keyRecordOf(finding)])[0]),
    finding_json: JSON.stringify(finding),
    mode: "on" as const,
    reason: "seeded for the cap",
    acknowledged_in_use: 0,
    requested_by: ANN.id,
    requested_by_name: ANN.name,
    requested_at: new Date(world.deps.clock.now().getTime() - 60_000).toISOString(),
  };
}

describe("Re-enable, offered for 7 days on a carried-out Disable", () => {
  it("the Disable's message offers Re-enable; a request like any other undoes it once another allowed user approves", async () => {
    const world = anthropicWorld();
    const disableId = await disabled(world);
    const shown = world.shown.updated.at(-1);
    expect(shown?.reenable).toEqual({ until: new Date(NOW.getTime() + 7 * DAY).toISOString(), offered: true, request: null });
    const buttons = JSON.stringify(requestMessage(shown as NonNullable<typeof shown>).blocks);
    expect(buttons).toContain('"action_id":"remediation_reenable"');

    world.deps.clock = at(2 * DAY);
    expect(await openReenableForm(world.deps, ANN, "T_REENABLE", disableId)).toEqual({ ok: true });
    const metadata = world.shown.reenableMetadata.at(-1) ?? "";
    const submitted = await submitReenable(world.deps, ANN, metadata, { [REASON_BLOCK]: { value: { value: "the nightly eval job still needs it" } } });
    if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
    await submitted.after();
    const request = world.shown.posted.at(-1);
    expect(request).toMatchObject({ status: "pending", action: { kind: "reenable_key", undoes: disableId } });
    // The Disable's message now says a Re-enable was requested instead of offering it again.
    expect(world.shown.updated.at(-1)).toMatchObject({ id: disableId, reenable: { offered: false, request: { id: request?.id, status: "pending" } } });

    const reenableId = request?.id ?? "";
    expect(await approveRemediation(world.deps, ANN, reenableId)).toMatchObject({ ok: false, message: expect.stringContaining("cannot approve it too") });
    const answer = await approveRemediation(world.deps, BOB, reenableId);
    expect(answer).toEqual({ ok: true, message: expect.stringContaining("done: Re-enabled Anthropic key") });
    expect(world.anthropic.key.status).toBe("active");
    expect(world.anthropic.calls.map((a) => JSON.stringify(a.request.body))).toEqual(['{"status":"inactive"}', '{"status":"active"}']);
    expect(await world.remediations.get(reenableId)).toMatchObject({ status: "done", action_kind: "reenable_key", fingerprint: world.finding.fingerprint });
    const disableState = await requestState(world.deps, disableId, world.deps.clock.now());
    expect(disableState?.reenable).toMatchObject({ offered: false, request: { id: reenableId, status: "done" } });
  });

  it("is not offered, and refused, once the 7 days are over", async () => {
    const world = anthropicWorld();
    const disableId = await disabled(world);
    world.deps.clock = at(7 * DAY + 60_000);
    const state = await requestState(world.deps, disableId, world.deps.clock.now());
    expect(state?.reenable).toMatchObject({ offered: false, request: null });
    expect(JSON.stringify(requestMessage(state as NonNullable<typeof state>).blocks)).not.toContain("remediation_reenable");
    const answer = await openReenableForm(world.deps, ANN, "T_LATE", disableId);
    expect(answer).toEqual({ ok: false, message: expect.stringContaining("Refused by the undo-window guard") });
    expect(world.shown.forms.filter((f) => f.startsWith("reenable:"))).toEqual([]);
    // The click that came too late takes the button off the message.
    expect(world.shown.updated.at(-1)).toMatchObject({ id: disableId, reenable: { offered: false, request: null } });
  });

  it("is refused for a user outside SLACK_ALLOWED_USERS, at the click and at the submission", async () => {
    const world = anthropicWorld();
    const disableId = await disabled(world);
    const eve = { id: "U_EVE", name: "eve" };
    expect(await openReenableForm(world.deps, eve, "T_EVE", disableId)).toEqual({ ok: false, message: expect.stringContaining("SLACK_ALLOWED_USERS") });
    const submitted = await submitReenable(world.deps, eve, JSON.stringify({ u: disableId }), REASON);
    expect(submitted.ok ? "" : Object.values(submitted.errors).join(" ")).toContain("Refused by the allowed-user guard");
    expect(await world.remediations.undoOf(disableId)).toBeNull();
    expect(world.anthropic.calls).toHaveLength(1);
  });

  it("is offered by nothing else: not a dry-run Disable, not an OpenAI deletion", async () => {
    const dry = anthropicWorld({ remediation: { mode: "dry-run" } });
    const id = await disableRequestedByAnn(dry);
    await approveRemediation(dry.deps, BOB, id);
    expect(await openReenableForm(dry.deps, ANN, "T", id)).toEqual({ ok: false, message: expect.stringContaining("is not a Disable carried out") });

    const openai = decideInMemory({ finding: userKeyFinding() });
    expect(await openRevokeForm(openai.deps, ANN, "T", { runId: RUN_ID, fingerprint: userKeyFinding().fingerprint })).toEqual({ ok: true });
    const submitted = await submitRevoke(openai.deps, ANN, openai.shown.revokeMetadata[0] ?? "", REASON);
    if (!submitted.ok) throw new Error("not requested");
    await submitted.after();
    const deletion = openai.shown.posted[0]?.id ?? "";
    await approveRemediation(openai.deps, BOB, deletion);
    expect(openai.shown.updated.at(-1)?.reenable).toBeUndefined();
    expect(await openReenableForm(openai.deps, ANN, "T", deletion)).toEqual({ ok: false, message: expect.stringContaining("did not disable a key") });
  });
});

describe("the provider router", () => {
  it("lists, calls and confirms with the port of the key's provider; an unconfigured account is said, and nothing is called", async () => {
    const world = anthropicWorld();
    const none = keyActionsByProvider({ openai: () => world.keys, anthropic: () => null });
    expect(await none.freshKeysFor(anthropicFinding())).toEqual({ ok: false, message: 'no Anthropic account named "anthropic" is configured (ANTHROPIC_ADMIN_KEY, or ACCOUNTS)' });
    const [disable] = actionsFor(anthropicFinding(), []);
    if (!disable) throw new Error("no Disable");
    expect(await none.call(disable)).toMatchObject({ status: null });
    expect(world.keys.calls).toEqual([]);
    expect(await none.freshKeysFor(userKeyFinding())).toMatchObject({ ok: true });
  });
});
