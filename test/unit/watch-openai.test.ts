/**
 * The hourly watch over an OpenAI organization (issue 20), against the simulator: the audit log from
 * where the last firing stopped, then just the keys it names; new findings told once, accepted risks
 * and findings already told not at all; an organization without audit logging said once, not failed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccountSettings } from "../../src/config.js";
import { findingFingerprint } from "../../src/policy/fingerprint.js";
import { addAuditEvent, createKeyWithEvent } from "../../src/sim/openai/control-keys.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { watchLimits } from "../../src/watch/account.js";
import { type Knowledge, MemoryWatchState, fire, recordingNotifier } from "./watch-support.js";

const NOW = new Date("2026-11-23T07:17:00Z");
const RUN_START = "2026-11-23T06:00:00.000Z";
const ADMIN_KEY = "sk-admin-unit-test-watch-0123456789abcdef";

let sim: Simulator;
let account: AccountSettings;
let state: MemoryWatchState;
let knowledge: Knowledge;

beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
  account = { name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey: ADMIN_KEY, baseUrl: sim.url };
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleOrg(NOW));
  sim.clearFaults();
  sim.clearLog();
  state = new MemoryWatchState();
  knowledge = { lastRun: RUN_START, told: new Set(), accepted: [] };
});

/** Changes the simulated organization as a person would (the control routes do the same). */
function change(act: (org: ReturnType<Simulator["getOrg"]>) => void): void {
  const org = sim.getOrg();
  act(org);
  sim.setOrg(org);
}

const at = (minutes: number) => new Date(Date.parse(RUN_START) + minutes * 60_000);
const paths = () => sim.requests.map((r) => `${r.method} ${r.path}`);

describe("the watch over an OpenAI organization", () => {
  it("asks the audit log once in a quiet hour, from the start of the last complete run, and tells nobody", async () => {
    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs"]);
    expect(sim.requests[0]?.query).toMatchObject({ "effective_at[gte]": String(Date.parse(RUN_START) / 1000), limit: "100" });
    expect(findings).toEqual([]);
    expect(notifier.posts).toEqual([]);
    expect(firing).toMatchObject({ requests: 1, keys_seen: 0, findings_posted: 0, delivery: "no_findings" });
    expect(firing.accounts).toEqual([expect.objectContaining({ account: "openai", method: "audit_log", status: "watched", changes_read: 0 })]);
  });

  it("reads just the created key and tells its finding once, naming it; the next firing starts after it", async () => {
    change((org) => createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_web_new_mallory", name: "mallory side project" }, at(30)));
    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    // No inventory: the audit log, then the key's own read.
    expect(paths()).toEqual(["GET /v1/organization/audit_logs", "GET /v1/organization/projects/proj_web/api_keys/key_web_new_mallory"]);
    expect(findings.map((f) => [f.rule_id, f.key.id, f.lifecycle])).toEqual([["owner-not-allowed", "key_web_new_mallory", "new"]]);
    expect(findings[0]?.key.created_by).toMatchObject({ type: "user", id: "user_mallory", email: "mallory@gmail.com" });
    expect(notifier.posts).toEqual([{ firingId: firing.id, findings }]);
    expect(notifier.owners).toEqual([[findings[0]?.fingerprint]]);
    expect(firing.accounts[0]).toMatchObject({ status: "watched", changes_read: 1, keys_seen: 1, findings: [{ rule_id: "owner-not-allowed", key_id: "key_web_new_mallory" }] });

    sim.clearLog();
    const again = recordingNotifier();
    const next = await fire({ accounts: [account], state, knowledge, notifier: again, now: new Date(NOW.getTime() + 3_600_000) });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs"]);
    expect(sim.requests[0]?.query["effective_at[gte]"]).toBe(String(at(30).getTime() / 1000));
    expect(next.firing.accounts[0]).toMatchObject({ changes_read: 0, keys_seen: 0 });
    expect(again.posts).toEqual([]);
  });

  it("reads an admin key and its owner (for the email), and judges it", async () => {
    change((org) => createKeyWithEvent(org, { admin: true, owner: { user_id: "user_alice" }, id: "key_admin_new" }, at(10)));
    const { findings } = await fire({ accounts: [account], state, knowledge, notifier: recordingNotifier(), now: NOW });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs", "GET /v1/organization/admin_api_keys/key_admin_new", "GET /v1/organization/users/user_alice"]);
    expect(findings.map((f) => [f.rule_id, f.key.id, f.owner.email])).toEqual([["admin-key-no-expiry", "key_admin_new", "alice@example.com"]]);
  });

  it("does not tell a finding already open, one an earlier firing told, nor an accepted risk", async () => {
    const owner = { service_account: { id: "sa_new_bot", name: "ci-new-bot", role: "owner" as const } };
    change((org) => {
      createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_open" }, at(5));
      createKeyWithEvent(org, { project_id: "proj_data", owner, id: "key_accepted" }, at(6));
    });
    knowledge.told = new Set([findingFingerprint("owner-not-allowed", "project", "key_open")]);
    knowledge.accepted = [{ id: "acc_1", rule: "service-account-owner", key: "key_accepted", reason: "the deploy bot needs it", expires: "2099-01-01", accepted_by: { id: "U1", name: "ana" }, accepted_at: RUN_START }];
    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(firing.keys_seen).toBe(2);
    expect(findings).toEqual([]);
    expect(notifier.posts).toEqual([]);
    expect(firing.accounts[0]?.already_reported).toBe(1);
  });

  it("reads the keys of a service account whose role changed, from its project's listing", async () => {
    change((org) => {
      const key = org.projectKeys.proj_data?.find((k) => k.id === "key_data_etl");
      if (key?.owner.type === "service_account") key.owner.service_account.role = "owner";
      addAuditEvent(org, { id: "audit_log-sa_ci_etl_updated", type: "service_account.updated", effective_at: at(20).getTime() / 1000, project: { id: "proj_data", name: "data-pipeline" }, "service_account.updated": { id: "sa_ci_etl", changes_requested: { role: "owner" } } }, NOW);
    });
    const { findings } = await fire({ accounts: [account], state, knowledge, notifier: recordingNotifier(), now: NOW });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs", "GET /v1/organization/projects/proj_data/api_keys"]);
    expect(findings.map((f) => [f.rule_id, f.key.id])).toEqual([["service-account-owner", "key_data_etl"]]);
  });

  it("says once that the audit log cannot be read, in the channel and in its state, and fails nothing", async () => {
    change((org) => {
      org.auditLoggingEnabled = false;
    });
    const notifier = recordingNotifier();
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(firing.accounts[0]).toMatchObject({ status: "audit_log_unavailable", requests: 1 });
    expect(notifier.notices).toEqual([expect.stringMatching(/^account openai: the audit log cannot be read \(.*HTTP 403.*weekly audit only$/)]);
    expect((await state.accountState("openai")).auditLogUnavailable).toMatch(/HTTP 403/);
    await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(notifier.notices).toHaveLength(1);

    change((org) => {
      org.auditLoggingEnabled = true;
    });
    await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect((await state.accountState("openai")).auditLogUnavailable).toBeNull();
  });

  it("keeps its place when the channel message cannot be posted, so the next firing tells it", async () => {
    change((org) => createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_retold" }, at(40)));
    const failing = { ...recordingNotifier(), postFindings: async () => Promise.reject(new Error("slack is down")) };
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier: failing, now: NOW });
    expect(firing).toMatchObject({ delivery: "failed", delivery_error: "slack is down", findings_posted: 0 });
    expect(state.writes).toEqual([]);
    const notifier = recordingNotifier();
    await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(notifier.posts.flatMap((p) => p.findings.map((f) => f.key.id))).toEqual(["key_retold"]);
  });

  it("stays within AUDIT_SUBREQUESTS_PER_STEP: judges the newest created keys it may read, says how many it left, and holds its place for the rest", async () => {
    expect(watchLimits(45, 1)).toEqual({ auditLogPages: 5, keys: 17 });
    expect(watchLimits(45, 2)).toEqual({ auditLogPages: 5, keys: 7 });
    change((org) => {
      for (let i = 0; i < 18; i++) createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_bob" }, id: `key_many_${i}` }, at(i + 1));
    });
    const notifier = recordingNotifier();
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs", ...Array.from({ length: 17 }, (_, i) => `GET /v1/organization/projects/proj_web/api_keys/key_many_${17 - i}`)]);
    expect(firing.accounts[0]).toMatchObject({ status: "too_many_changes", changes_read: 18, keys_seen: 17, note: expect.stringContaining("more than 17 keys changed") });
    expect(notifier.notices).toEqual([expect.stringMatching(/^account openai: more than 17 keys changed: 17 were judged \(the newest created first\), 1 were not: the next firing judges them/)]);
    // The place stops before the key left unjudged, remembering what was judged since.
    const held = (await state.accountState("openai")).cursor;
    expect(held).toMatchObject({ at: at(1).getTime() / 1000, ids: [] });
    expect(Object.keys(held?.judged ?? {})).toHaveLength(17);

    sim.clearLog();
    const next = await fire({ accounts: [account], state, knowledge, notifier: recordingNotifier(), now: NOW });
    expect(paths()).toEqual(["GET /v1/organization/audit_logs", "GET /v1/organization/projects/proj_web/api_keys/key_many_0"]);
    expect(next.firing.accounts[0]).toMatchObject({ status: "watched", keys_seen: 1 });
    expect((await state.accountState("openai")).cursor).toEqual({ at: at(18).getTime() / 1000, ids: [expect.any(String)] });
  });

  it("judges a rogue key among decoys on a later firing: with two accounts, the newest 7 first, the channel told, then the rest", async () => {
    change((org) => {
      createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_rogue", name: "rogue" }, at(10));
      for (let i = 0; i < 7; i++) createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_bob" }, id: `key_decoy_${i}` }, at(11 + i));
    });
    const other: AccountSettings = { ...account, name: "openai-eu" };
    const first = recordingNotifier();
    const { firing } = await fire({ accounts: [account, other], state, knowledge, notifier: first, now: NOW });
    expect(firing.accounts.map((a) => [a.status, a.keys_seen])).toEqual([["too_many_changes", 7], ["too_many_changes", 7]]);
    expect(first.notices).toEqual([expect.stringMatching(/^account openai: .*1 were not/), expect.stringMatching(/^account openai-eu: .*1 were not/)]);
    const second = recordingNotifier();
    const next = await fire({ accounts: [account, other], state, knowledge, notifier: second, now: NOW });
    expect(next.firing.accounts.map((a) => [a.status, a.keys_seen])).toEqual([["watched", 1], ["watched", 1]]);
    expect(second.posts.flatMap((p) => p.findings.map((f) => `${f.key.account}:${f.key.id}`))).toEqual(expect.arrayContaining(["openai:key_rogue", "openai-eu:key_rogue"]));
  });

  it("finds a key whose event names another project (an admin key's action) in the projects' listings, and says 'partial' of an event it cannot read", async () => {
    change((org) => {
      const { event } = createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_web_new_mallory", name: "mallory side project" }, at(30));
      event.project = { id: "proj_default_elsewhere", name: "Default project" };
      addAuditEvent(org, { id: "audit_log-broken", type: "api_key.created", effective_at: Math.floor(at(31).getTime() / 1000), "api_key.created": { nope: 1 } }, at(31));
    });
    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(findings.map((f) => f.key.id)).toEqual(["key_web_new_mallory"]);
    expect(firing.accounts[0]).toMatchObject({ status: "partial", keys_seen: 1, note: "1 audit-log event(s) could not be read: the weekly audit judges the keys they name" });
    expect(notifier.notices).toEqual(["account openai: 1 audit-log event(s) could not be read: the weekly audit judges the keys they name"]);
    expect((await state.accountState("openai")).cursor?.at).toBe(at(31).getTime() / 1000);
  });

  it("says 'partial', naming it, of a key the audit log names that no read finds", async () => {
    change((org) => addAuditEvent(org, { id: "audit_log-ghost", type: "api_key.created", effective_at: Math.floor(at(20).getTime() / 1000), project: { id: "proj_web", name: "web" }, "api_key.created": { id: "key_ghost", data: { scopes: [] } } }, at(20)));
    const notifier = recordingNotifier();
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(firing.accounts[0]).toMatchObject({ status: "partial", keys_seen: 0, note: expect.stringContaining("1 key(s) named by the audit log were not found") });
    expect(notifier.notices).toEqual([expect.stringContaining("key_ghost")]);
  });

  it("with Slack off, records no finding as reported, so a firing with Slack on still tells it", async () => {
    change((org) => createKeyWithEvent(org, { project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_quiet" }, at(5)));
    const recorded: string[] = [];
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW, record: async (_f, reported) => void recorded.push(...reported.map((f) => f.key.id)) });
    expect(firing.delivery).toBe("slack_off");
    expect(recorded).toEqual([]);
  });

  it("without a complete run, starts its cursor now and judges nothing", async () => {
    knowledge.lastRun = null;
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    expect(sim.requests).toEqual([]);
    expect(firing.accounts[0]).toMatchObject({ status: "started", requests: 0 });
    expect((await state.accountState("openai")).cursor).toEqual({ at: NOW.getTime() / 1000, ids: [] });
  });
});
