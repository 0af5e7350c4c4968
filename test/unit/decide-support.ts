/**
 * The decisions' ports in memory, for driving accept risk and revoke in Node: the D1 stores on
 * node:sqlite, a provider that answers from a list of keys and records every call, a notifier that
 * records what it would show, a fixed clock.
 */
import type { DecideDeps, KeyActions, Notifier, OwnerInSlack, RequestState } from "../../src/decide/ports.js";
import type { RemediationSettings } from "../../src/config.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import type { RemediationAction } from "../../src/model/remediation.js";
import type { RunFinding } from "../../src/model/run.js";
import { parsedBundledPolicy } from "../../src/policy/bundled.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { sqliteD1 } from "../support/sqlite-d1.js";

export const NOW = new Date("2026-11-26T12:00:00.000Z");
export const RUN_ID = "run_20261126T100000Z_abc123";
export const ANN = { id: "U_ANN", name: "ann" };
export const BOB = { id: "U_BOB", name: "bob" };

/** A user's project key, unused for months: `unused-90d` of the default policy fits, and deleting the key is the action. */
export function userKeyFinding(overrides: Partial<RunFinding> = {}): RunFinding {
  return {
    rule_id: "unused-90d",
    rule_kind: "unused",
    severity: "high",
    fingerprint: "fp_user_key",
    sentence: "key ci was last used 200 days ago",
    key: {
      kind: "project",
      id: "key_ci",
      name: "ci",
      redacted_value: "sk-proj-...abcd",
      created_at: "2025-01-02T03:04:05.000Z",
      last_used_at: "2026-05-01T10:00:00.000Z",
      expires_at: null,
      owner_access: "active",
    },
    project: { id: "proj_ml", name: "ML", archived: false },
    owner: { type: "user", id: "user_carol", name: "Carol", email: "carol@example.com", role: "member" },
    ...overrides,
  };
}

/** The key record the provider lists for a finding's key. */
export function keyRecordOf(finding: RunFinding): KeyRecord {
  return { ...finding.key, project: finding.project, owner: finding.owner };
}

/** A provider that lists `keys` and answers every call 200; `calls` records what was called. */
export function fakeKeys(keys: KeyRecord[]): KeyActions & { calls: RemediationAction[]; listings: number } {
  const fake = {
    calls: [] as RemediationAction[],
    listings: 0,
    async freshKeysFor() {
      fake.listings++;
      return { ok: true as const, items: keys };
    },
    async call(action: RemediationAction) {
      fake.calls.push(action);
      keys.splice(0, keys.length, ...keys.filter((k) => !action.keysAffected.some((gone) => gone.id === k.id)));
      return { status: 200, body: {} };
    },
    async listingAfter() {
      return { keys };
    },
  };
  return fake;
}

/** A notifier that records what it would show; `owner` is what Slack says of a key's owner. */
export function fakeNotifier(owner: OwnerInSlack = { kind: "none" }) {
  const shown = {
    forms: [] as string[],
    /** What each Revoke form carries to its submission. */
    revokeMetadata: [] as string[],
    /** What each Re-enable form carries to its submission. */
    reenableMetadata: [] as string[],
    posted: [] as RequestState[],
    updated: [] as RequestState[],
    toldOwners: [] as string[],
    acceptancesShown: 0,
  };
  const notifier: Notifier = {
    ownerInSlack: async () => owner,
    openRevokeForm: async (triggerId, form) => {
      shown.forms.push(`revoke:${triggerId}`);
      shown.revokeMetadata.push(form.privateMetadata);
    },
    openReenableForm: async (triggerId, form) => {
      shown.forms.push(`reenable:${triggerId}`);
      shown.reenableMetadata.push(form.privateMetadata);
    },
    postRequest: async (request) => {
      shown.posted.push(request);
      return { channel: "C_REPORT", ts: `17000000${shown.posted.length}.000100` };
    },
    updateRequest: async (_message, request) => void shown.updated.push(request),
    tellOwnerRevoked: async (ownerId) => void shown.toldOwners.push(ownerId),
    openAcceptForm: async (triggerId) => {
      shown.forms.push(`accept:${triggerId}`);
      return "V_ACCEPT";
    },
    showAcceptance: async () => void shown.acceptancesShown++,
  };
  return { notifier, shown };
}

/** The decisions wired in memory, for one finding recorded by run RUN_ID under the default policy. */
export function decideInMemory(options: { finding: RunFinding; remediation?: Partial<RemediationSettings>; owner?: OwnerInSlack; slack?: boolean }) {
  const d1 = sqliteD1();
  const keys = fakeKeys([keyRecordOf(options.finding)]);
  const { notifier, shown } = fakeNotifier(options.owner);
  const remediations = new RemediationStore(d1.db);
  const acceptances = new AcceptanceStore(d1.db);
  const deps: DecideDeps = {
    settings: {
      remediation: { mode: "on", approvals: 2, maxPerDay: 5, ...options.remediation },
      slackAllowedUsers: [ANN.id, BOB.id],
      openaiAdminKey: "sk-admin-decide-test-0123456789abcdefghij",
      secrets: ["sk-admin-decide-test-0123456789abcdefghij"],
      accounts: [{ name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey: "sk-admin-decide-test-0123456789abcdefghij", baseUrl: "https://api.openai.com/v1" }],
    },
    runs: {
      findingOfRun: async (runId, fingerprint) => (runId === RUN_ID && fingerprint === options.finding.fingerprint ? { finding: options.finding, policy_name: "default" } : null),
      recordedRun: async () => null,
    },
    remediations,
    acceptances,
    keys,
    notifier: options.slack === false ? null : notifier,
    policies: parsedBundledPolicy,
    clock: { now: () => NOW },
  };
  return { deps, keys, shown, remediations, acceptances };
}
