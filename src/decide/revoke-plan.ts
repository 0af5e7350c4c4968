/**
 * What a Revoke… form is opened with and its submission checked against: the finding as the clicked
 * report's run recorded it, that run's policy, no other request open for it, and the actions that
 * fit, from keys listed fresh. Also what every guard check reads besides the request itself.
 */
import { accountOf } from "../config.js";
import { keyProvider } from "../model/key-facts.js";
import type { KeyRecord } from "../model/inventory.js";
import type { ListedKey, RemediationAction } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import type { Policy } from "../policy/schema.js";
import { sha256Hex } from "../util/hash.js";
import { redact } from "../util/redact.js";
import { allowedActions, whyNoAllowedActions } from "./allowed.js";
import { type GuardContext, type UndoneRequest, utcDay } from "./guards.js";
import type { DecideDeps, DecideSettings, FindingRef } from "./ports.js";
import type { GuardName, Refusal } from "./refusal.js";
import { StoredRequestError, storedAction } from "./stored-request.js";

/** The fresh listing must come back in time for views.open (Slack's trigger id lives 3 s). */
export const PLAN_LISTING_DEADLINE_MS = 2_000;

export interface RevokePlan {
  finding: RunFinding;
  /** The bundled policy's name, as the run history records it (not the policy's own `name:`). */
  policyName: string;
  policy: Policy;
  keys: ListedKey[];
  actions: RemediationAction[];
}

/** The SHA-256 of the ids of the keys an action takes: what the form showed, checked again at its submission. */
export function keysDigest(action: RemediationAction): string {
  return sha256Hex(action.keysAffected.map((k) => k.id).sort().join("\n"));
}

/**
 * The policy a finding was evaluated under: its `remediation:` section narrows what may be done, so a
 * policy that can no longer be read (renamed, invalid) allows nothing rather than everything.
 */
export function policyOf(deps: Pick<DecideDeps, "policies">, name: string): { ok: true; policy: Policy } | Refusal<GuardName> {
  const policy = deps.policies(name);
  if (policy) return { ok: true, policy };
  return { ok: false, guard: "policy-rules", message: `Refused: policy "${name}", under which the finding was made, is no longer bundled or no longer valid, so its remediation: section cannot be checked.` };
}

export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The plan of a Revoke… click, for the finding as the clicked report's run recorded it (that run's
 * policy governs the request), from keys listed fresh (within Slack's 3 s). A refusal is a sentence for the user.
 */
export async function planRevoke(deps: DecideDeps, { fingerprint, runId }: FindingRef): Promise<RevokePlan | { message: string }> {
  const found = await deps.runs.findingOfRun(runId, fingerprint);
  if (!found) return { message: "Keywarden has no record of this finding in the run of this report. Nothing was requested." };
  const policy = policyOf(deps, found.policy_name);
  if (!policy.ok) return { message: policy.message };
  const open = await deps.remediations.openFor(fingerprint);
  if (open) return { message: `Request ${open.id} for this finding is already ${open.status}: approve or reject it in the channel first.` };
  const listed = await withDeadline(deps.keys.freshKeysFor(found.finding, { timeoutMs: PLAN_LISTING_DEADLINE_MS }), PLAN_LISTING_DEADLINE_MS);
  if (listed === "timeout") return { message: "The Admin API took too long to list the keys that would go; try again. Nothing was requested." };
  if (!listed.ok) return { message: redact(`Keywarden could not list the keys that would go: ${listed.message}. Nothing was requested.`, deps.settings.secrets) };
  const remediation = policy.policy.remediation;
  const actions = allowedActions(found.finding, listed.items, remediation);
  if (actions.length === 0) return { message: `Nothing can be done about this finding from Slack: ${whyNoAllowedActions(found.finding, listed.items, remediation)}` };
  return { finding: found.finding, policyName: found.policy_name, policy: policy.policy, keys: listed.items, actions };
}

/** What a guard check is about: the finding, the action, and (once recorded) the request's id. */
export interface GuardSubject {
  finding: Pick<RunFinding, "key">;
  action: RemediationAction;
  requestId?: string;
}

/**
 * What every guard check reads besides the request: the settings, the policy (none for a Re-enable:
 * see guards.ts `undoGuards`), the admin key of the finding's account, the fresh keys, the day's
 * count, and for a Re-enable the Disable it undoes.
 */
export async function guardContext(deps: DecideDeps, policy: Policy | undefined, inventoryKeys: readonly ListedKey[], now: Date, subject: GuardSubject): Promise<GuardContext> {
  const { settings } = deps;
  const mode = settings.remediation.mode === "on" ? "on" : "dry-run";
  const undoes = subject.action.undoes;
  return {
    settings: settings.remediation,
    allowedUsers: settings.slackAllowedUsers,
    policy: policy?.remediation,
    ownAdminKey: ownAdminKeyOf(settings, subject.finding.key),
    inventoryKeys,
    executedToday: await deps.remediations.executedOn(utcDay(now), mode),
    now,
    ...(undoes !== undefined ? { undone: await undoneRequest(deps, undoes, subject.requestId) } : {}),
  };
}

/** The admin key of the account a key belongs to (config-accounts.ts accountOf); undefined when that account is not configured. */
export function ownAdminKeyOf(settings: Pick<DecideSettings, "accounts">, key: Pick<KeyRecord, "provider" | "account">): string | undefined {
  return accountOf(settings.accounts, keyProvider(key), key.account)?.adminKey;
}

/** The Disable request `id` as stored now, with the latest other Re-enable of it; null when there is no such request or it cannot be read. */
async function undoneRequest(deps: DecideDeps, id: string, except: string | undefined): Promise<UndoneRequest | null> {
  const row = await deps.remediations.get(id);
  if (!row) return null;
  const undoneBy = await deps.remediations.undoOf(id, except);
  try {
    return { id, action: storedAction(row), status: row.status, mode: row.mode, executed_at: row.executed_at, undoneBy: undoneBy ? { id: undoneBy.id, status: undoneBy.status } : null };
  } catch (error) {
    if (error instanceof StoredRequestError) return null;
    throw error;
  }
}
