/**
 * The Anthropic Admin API as a remediation uses it (decide/ports.ts `KeyActions`, structurally): the
 * finding's key read fresh, with its use over the last day from the usage analytics; the one status
 * update an approved Disable or Re-enable makes; and the key read again to confirm it. The guards
 * are decide/'s: this only reads and acts.
 */
import { KEY_STATUS_SET, type ApiAnswer, type Listed, type ListedKey, type ListingAfter, type RemediationAction } from "../../model/remediation.js";
import type { ProjectRecord, UserRecord } from "../../model/inventory.js";
import type { RunFinding } from "../../model/run.js";
import { type ActionOptions, retrieveKey, updateKeyStatus } from "./actions.js";
import { type LastUseReport, readLastUse } from "./last-used.js";
import { normalizeApiKey } from "./normalize.js";

/** The in-use check looks back 24 hours: two days of 1-day buckets cover them. */
const RECENT_USE_DAYS = 2;
const DAY_MS = 86_400_000;

export interface AnthropicKeyActions {
  freshKeysFor(finding: Pick<RunFinding, "key" | "project" | "owner">, options?: { timeoutMs?: number }): Promise<Listed<ListedKey[]>>;
  call(action: RemediationAction): Promise<ApiAnswer>;
  listingAfter(action: RemediationAction): Promise<ListingAfter>;
}

export interface AnthropicKeyActionsOptions extends ActionOptions {
  /** The clock the usage window is read against. */
  now?: () => Date;
}

/** The remediation side of the Anthropic account `options.account`, authenticating with its admin key. */
export function anthropicKeyActions(options: AnthropicKeyActionsOptions): AnthropicKeyActions {
  const now = options.now ?? (() => new Date());
  return {
    freshKeysFor: (finding, o) => freshKey(o?.timeoutMs === undefined ? options : { ...options, timeoutMs: o.timeoutMs }, finding, now()),
    call: (action) => callStatusUpdate(options, action),
    listingAfter: async (action) => {
      const read = await retrieveKey(options, action.target.id);
      if (!read.ok) return {};
      return { keys: read.key ? [{ id: read.key.id, status: read.key.status }] : [] };
    },
  };
}

/**
 * The finding's key, read now, as a KeyRecord: its status, and its last use as fresh as the usage
 * analytics allow. When they cannot be read (or were not refreshed for a day), `last_used_unknown`
 * says why: the in-use check then asks for an acknowledgement instead of passing.
 */
async function freshKey(options: ActionOptions, finding: Pick<RunFinding, "key" | "project" | "owner">, now: Date): Promise<Listed<ListedKey[]>> {
  const id = finding.key.id;
  const [read, usage] = await Promise.all([retrieveKey(options, id), readLastUse({ ...options, days: RECENT_USE_DAYS, now, keyIds: [id], concurrency: 1 })]);
  if (!read.ok) return { ok: false, message: read.reason };
  if (read.key === null) return { ok: false, message: `Anthropic account "${options.account}": API key ${id} is not found (HTTP 404): it no longer exists` };
  const record = normalizeApiKey(read.key, { account: options.account, workspaces: workspaceOf(finding), users: userOf(finding) });
  return { ok: true, items: [{ ...record, ...recentUse(usage, id, finding.key.last_used_at, now) }] };
}

function recentUse(report: LastUseReport, keyId: string, recorded: string | null, now: Date): Pick<ListedKey, "last_used_at" | "last_used_unknown"> {
  if (!report.known) return { last_used_at: recorded, last_used_unknown: report.reason };
  const refreshed = report.window.fresh_until;
  if (refreshed !== null && now.getTime() - Date.parse(refreshed) > DAY_MS) {
    return { last_used_at: recorded, last_used_unknown: `the usage analytics were last refreshed at ${refreshed}, so use in the last 24 hours cannot be seen` };
  }
  const seen = report.lastUsed[keyId]?.bucket_end ?? null;
  if (seen === null) return { last_used_at: recorded };
  return { last_used_at: recorded !== null && Date.parse(recorded) > Date.parse(seen) ? recorded : seen };
}

/** The finding's workspace as the normalizer looks it up (the API key names only its id). */
function workspaceOf(finding: Pick<RunFinding, "project">): Map<string, ProjectRecord> {
  const p = finding.project;
  return new Map(p ? [[p.id, { id: p.id, name: p.name, created_at: "", archived: p.archived, archived_at: null }]] : []);
}

/** The finding's owner as the normalizer looks users up, so the fresh record keeps their name and email. */
function userOf(finding: Pick<RunFinding, "owner">): Map<string, UserRecord> {
  const o = finding.owner;
  return new Map(o.type === "user" ? [[o.id, { id: o.id, name: o.name, email: o.email, role: o.role, is_service_account: false }]] : []);
}

/** Makes the action's status update, exactly as planned, once (the session retries only what is safe: the update is idempotent). */
async function callStatusUpdate(options: ActionOptions, action: RemediationAction): Promise<ApiAnswer> {
  if ((action.kind !== "disable_key" && action.kind !== "reenable_key") || action.target.type !== "api_key") {
    return { status: null, error: `${action.kind} is not an action on an Anthropic key: nothing was called` };
  }
  const status = KEY_STATUS_SET[action.kind];
  const { method, path, body } = action.request;
  if (method !== "POST" || path !== `/v1/organizations/api_keys/${action.target.id}` || JSON.stringify(body) !== JSON.stringify({ status })) {
    return { status: null, error: "the action's request is not the status update it names: nothing was called" };
  }
  const updated = await updateKeyStatus(options, action.target.id, status);
  // The session reads a 2xx answer's body only; the API answers an update with 200.
  if (updated.ok) return { status: 200, body: { id: updated.key.id, status: updated.key.status } };
  if (updated.status === undefined) return { status: null, error: updated.reason };
  return { status: updated.status, body: { error: { message: updated.reason } } };
}
