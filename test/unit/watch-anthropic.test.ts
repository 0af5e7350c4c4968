/**
 * The hourly watch over an Anthropic organization (issue 20), against the Anthropic simulator: no
 * audit log, so the key list (1,000 keys a request) compared with the one stored last time; only when
 * a key is new or changed are its workspace and owner read, and its finding told at once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccountSettings } from "../../src/config.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import type { ApiKeyJson } from "../../src/sim/anthropic/types.js";
import { ACCOUNT, ADMIN_KEY, NOW, startSampleSimulator } from "./anthropic-support.js";
import { type Knowledge, MemoryWatchState, fire, recordingNotifier } from "./watch-support.js";

const KEYS = "/v1/organizations/api_keys";
const RUN_START = new Date(NOW.getTime() - 3_600_000).toISOString();

let sim: AnthropicSimulator;
let account: AccountSettings;
let state: MemoryWatchState;
let knowledge: Knowledge;

beforeAll(async () => {
  sim = await startSampleSimulator();
  account = { name: ACCOUNT, provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: ADMIN_KEY, baseUrl: sim.url };
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleAnthropicOrg(NOW));
  sim.clearFaults();
  sim.clearLog();
  state = new MemoryWatchState();
  knowledge = { lastRun: RUN_START, told: new Set(), accepted: [] };
});

/** A key as the Console would create it now: Mallory's (not on the policy's allowlist), in production. */
function malloryKey(id: string): ApiKeyJson {
  return {
    type: "api_key",
    id,
    name: "mallory new key",
    created_at: new Date(NOW.getTime() - 60_000).toISOString(),
    created_by: { id: "user_ant_mallory", type: "user" },
    expires_at: null,
    partial_key_hint: "sk-ant-api03-mal...0001",
    principal: { type: "user_actor", user_id: "user_ant_mallory" },
    scope: { type: "workspace", workspace_id: "wrkspc_prod" },
    status: "active",
  };
}

const paths = () => sim.requests.map((r) => r.path);

describe("the watch over an Anthropic organization", () => {
  it("stores the first list, then lists once per quiet hour and tells nobody", async () => {
    const notifier = recordingNotifier();
    const first = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    // Nothing created since the last run: one listing, stored whole.
    expect(paths()).toEqual([KEYS]);
    expect(sim.requests[0]?.query).toMatchObject({ limit: "1000" });
    expect(first.firing.accounts[0]).toMatchObject({ method: "key_list", status: "watched", changes_read: 14, keys_seen: 0 });
    expect(state.writes).toEqual(["list anthropic-eu +14 -0"]);

    sim.clearLog();
    const quiet = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(paths()).toEqual([KEYS]);
    expect(quiet.firing).toMatchObject({ requests: 1, keys_seen: 0, findings_posted: 0 });
    expect(state.writes).toEqual(["list anthropic-eu +14 -0", "list anthropic-eu +0 -0"]);
    expect(notifier.posts).toEqual([]);
  });

  it("judges the newest of more new keys than a firing reads, says how many were left, and judges those next time", async () => {
    await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    const org = sim.getOrg();
    for (let i = 0; i < 18; i++) org.apiKeys.push({ ...malloryKey(`apikey_many_${i}`), created_at: new Date(NOW.getTime() - (60 - i) * 60_000).toISOString() });
    sim.setOrg(org);
    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect(firing.accounts[0]).toMatchObject({ status: "too_many_changes", keys_seen: 17 });
    expect(findings.map((f) => f.key.id)).not.toContain("apikey_many_0");
    expect(notifier.notices).toEqual([expect.stringMatching(/^account anthropic-eu: 18 keys are new or changed, more than 17: the 17 newest were judged, 1 were not/)]);
    const next = recordingNotifier();
    const again = await fire({ accounts: [account], state, knowledge, notifier: next, now: NOW });
    expect(again.firing.accounts[0]).toMatchObject({ status: "watched", keys_seen: 1 });
    expect(next.posts.flatMap((p) => p.findings.map((f) => f.key.id))).toEqual(["apikey_many_0"]);
  });

  it("finds a created key by the diff, reads its workspace and owner, and tells its finding once", async () => {
    await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    const org = sim.getOrg();
    org.apiKeys.push(malloryKey("apikey_new_mallory"));
    sim.setOrg(org);
    sim.clearLog();

    const notifier = recordingNotifier();
    const { firing, findings } = await fire({ accounts: [account], state, knowledge, notifier, now: NOW });
    expect([...paths()].sort()).toEqual([KEYS, "/v1/organizations/users", "/v1/organizations/workspaces"].sort());
    expect(findings.map((f) => [f.rule_id, f.key.id, f.owner.email, f.project?.name])).toEqual([["owner-not-allowed", "apikey_new_mallory", "mallory@gmail.com", "production"]]);
    expect(findings[0]?.key).toMatchObject({ provider: "anthropic", account: ACCOUNT });
    expect(notifier.posts).toEqual([{ firingId: firing.id, findings }]);
    expect(firing.accounts[0]).toMatchObject({ status: "watched", changes_read: 15, keys_seen: 1, requests: 3 });

    sim.clearLog();
    const again = recordingNotifier();
    await fire({ accounts: [account], state, knowledge, notifier: again, now: NOW });
    expect(paths()).toEqual([KEYS]);
    expect(again.posts).toEqual([]);
  });

  it("judges a key that changed (re-enabled) and forgets one that is gone", async () => {
    await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    const org = sim.getOrg();
    const bob = org.apiKeys.find((k) => k.id === "apikey_inactive_bob");
    if (bob) bob.status = "active";
    org.apiKeys = org.apiKeys.filter((k) => k.id !== "apikey_archived_old");
    sim.setOrg(org);
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier: recordingNotifier(), now: NOW });
    expect(firing.accounts[0]).toMatchObject({ keys_seen: 1 });
    expect(state.writes.at(-1)).toBe("list anthropic-eu +1 -1");
  });

  it("without a list of its own, the keys created since the last run are the new ones", async () => {
    const org = sim.getOrg();
    org.apiKeys.push(malloryKey("apikey_since_run"));
    sim.setOrg(org);
    const { findings, firing } = await fire({ accounts: [account], state, knowledge, notifier: recordingNotifier(), now: NOW });
    expect(findings.map((f) => f.key.id)).toEqual(["apikey_since_run"]);
    expect(firing.accounts[0]?.note).toMatch(/no earlier list/);
  });

  it("a listing that fails stores nothing, so the next firing compares with the same list", async () => {
    await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    sim.addFault({ match: { path: "/organizations/api_keys" }, effect: { kind: "status", status: 500 } });
    const { firing } = await fire({ accounts: [account], state, knowledge, notifier: null, now: NOW });
    expect(firing.accounts[0]).toMatchObject({ status: "failed" });
    expect(state.writes).toEqual(["list anthropic-eu +14 -0"]);
  });
});
