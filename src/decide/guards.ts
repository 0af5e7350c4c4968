// Over 250 lines on purpose: every guard of a remediation and of its undo in one file, in the order they are checked.
/**
 * Whether a remediation may be requested, and approved. Pure: the clock (`now`), the settings, the
 * inventory and the day's count of executed actions are inputs. Every refusal names its guard and
 * says in words why; the first guard that refuses answers.
 *
 * A request is made by an allowed user for one action of `actionsFor(finding)`; it needs
 * REMEDIATION_APPROVALS people in all (the requester and, by default, one other allowed user), within
 * 24 hours. Every guard of the request is checked again at each approval, against the settings and
 * inventory of that moment: a mode turned off, a user no longer allowed, a plan the inventory no
 * longer matches, a key used since, or a full day's cap refuse then too. In dry-run mode every guard
 * applies exactly as with `on`: only the call is not made (outcome.ts `dryRunRequest` describes it).
 *
 * A Re-enable undoes a Disable: it is a request like any other (mode, allowed users, two people,
 * 24 hours, daily cap), made within 7 days of the Disable it undoes (`undoGuards` says what else).
 */
import {
  type AffectedKey,
  type ListedKey,
  REENABLE_WINDOW_MS,
  REQUEST_LIFETIME_MS,
  type RemediableFinding,
  type RemediationAction,
  type RemediationStatus,
} from "../model/remediation.js";
import { actionsFor, whyNoActions } from "./actions.js";
import { commandLineReenable, reenableActionFor } from "./disable-actions.js";
import { redact } from "../util/redact.js";
import { anthropicOwnKeyVerdict, ownAdminKeyVerdict } from "./own-key.js";
import type { RemediationPolicy } from "../policy/remediation-schema.js";
import type { GuardName, Refusal } from "./refusal.js";
import { DEFAULT_REMEDIATION_APPROVALS, type RemediationSettings } from "../config.js";

/** A key used within this long before the request is in use: touching it needs `acknowledgedInUse`. */
export const IN_USE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface Allowed {
  ok: true;
  /** `dry-run`: describe the call, do not make it. */
  mode: "dry-run" | "on";
  /** People who agreed so far, the requester included. */
  approvals: number;
  approvalsNeeded: number;
  /** Enough people agreed: run it now (or describe it, in dry-run mode). */
  ready: boolean;
  /** The plan as the current inventory gives it (the same ids as the request's, fresher `last_used_at`). */
  action: RemediationAction;
  /** Keys of the plan used in the last 24 hours (acknowledged), to show alongside. */
  inUse: AffectedKey[];
}

export type GuardResult = Allowed | Refusal<GuardName>;

/** What every check reads besides the request itself. */
export interface GuardContext {
  settings: RemediationSettings;
  /** Slack user ids allowed to request and approve (SLACK_ALLOWED_USERS); empty: nobody. */
  allowedUsers: readonly string[];
  /** The policy's `remediation:` section; absent narrows nothing. */
  policy?: RemediationPolicy | undefined;
  /**
   * The admin key of the finding's account (OPENAI_ADMIN_KEY, or its redacted value, or its last
   * characters; for an Anthropic key, that account's admin key): the key never to delete or disable.
   */
  ownAdminKey: string | null | undefined;
  /** The latest inventory: the plan is made again from it, and its admin keys are the ones compared. */
  inventoryKeys: readonly ListedKey[];
  /** Actions executed so far in the current UTC day (`utcDay(now)`), across all requests. */
  executedToday: number;
  now: Date;
  /** A Re-enable only: the Disable request it undoes, as stored now. */
  undone?: UndoneRequest | null;
}

/** The Disable request a Re-enable undoes, as stored now, and the latest other Re-enable of it (not the one being checked), if any. */
export interface UndoneRequest {
  id: string;
  action: RemediationAction;
  status: RemediationStatus;
  mode: "dry-run" | "on";
  executed_at: string | null;
  undoneBy: { id: string; status: RemediationStatus } | null;
}

export interface RequestInput {
  finding: RemediableFinding;
  action: RemediationAction;
  requestedBy: string;
  /** The requester confirmed they know a key of the plan was used in the last 24 hours. */
  acknowledgedInUse: boolean;
}

export interface PendingRequest extends RequestInput {
  /** ISO 8601; the request expires 24 hours later. */
  requestedAt: string;
  /** Who approved it so far, the requester not counted. */
  approvedBy: readonly string[];
}

/** Whether `requestedBy` may ask for `action`; `ready` when no approver is needed (REMEDIATION_APPROVALS=1). */
export function checkRequest(input: RequestInput, context: GuardContext): GuardResult {
  const mode = modeGuard(context.settings);
  if (mode) return mode;
  const requester = allowedUserGuard(input.requestedBy, "requester", context);
  if (requester) return requester;
  // A pending request checked again (an approval recovered after a lost isolate) keeps the time it was made.
  const madeAt = "requestedAt" in input && typeof input.requestedAt === "string" ? new Date(Date.parse(input.requestedAt)) : context.now;
  return requestGuards(input, context, 1, madeAt);
}

/** Whether `approver` may approve `request` now; `ready` when this approval is the last one needed. */
export function checkApproval(request: PendingRequest, approver: string, context: GuardContext): GuardResult {
  const mode = modeGuard(context.settings);
  if (mode) return mode;
  const expiry = expiryGuard(request.requestedAt, context.now);
  if (expiry) return expiry;
  const user = allowedUserGuard(approver, "approver", context);
  if (user) return user;
  if (approver === request.requestedBy) {
    return refuse("second-approver", `${approver} made this request and cannot approve it too: another allowed user must approve it.`);
  }
  if (request.approvedBy.includes(approver)) {
    return refuse("second-approver", `${approver} has already approved this request: another allowed user must approve it.`);
  }
  const needed = approvalsNeeded(context.settings);
  const sofar = 1 + new Set(request.approvedBy.filter((id) => id !== request.requestedBy)).size;
  if (sofar >= needed) return refuse("approvals", `this request already has the ${needed} ${needed === 1 ? "approval" : "approvals"} it needs (REMEDIATION_APPROVALS=${needed}); it needs no more.`);
  const requester = allowedUserGuard(request.requestedBy, "requester", context);
  if (requester) return requester;
  return requestGuards(request, context, sofar + 1, new Date(Date.parse(request.requestedAt)));
}

/**
 * `keywarden revoke --reenable` (the command line keeps no record of what it disabled, so no Disable
 * request is undone and no 7-day window applies): the mode, the requester, the key inactive now and
 * the request the one that re-enables it, the day's cap and the approvals.
 */
export function checkCommandLineReenable(input: Pick<RequestInput, "action" | "requestedBy">, context: GuardContext): GuardResult {
  const mode = modeGuard(context.settings);
  if (mode) return mode;
  const requester = allowedUserGuard(input.requestedBy, "requester", context);
  if (requester) return requester;
  const fresh = context.inventoryKeys.find((k) => k.id === input.action.target.id);
  const current = input.action.kind === "reenable_key" && fresh ? commandLineReenable(fresh) : { why: `${input.action.kind} of ${input.action.target.id} is not the Re-enable of a key listed now.` };
  if ("why" in current) return refuse("fits-finding", current.why);
  if (current.request.path !== input.action.request.path || JSON.stringify(current.request.body) !== JSON.stringify(input.action.request.body)) {
    return refuse("fits-finding", `the request planned (${input.action.request.method} ${input.action.request.path}) is not the one the key gives now; request it again.`);
  }
  const cap = dailyCapGuard(context);
  if (cap) return cap;
  const needed = approvalsNeeded(context.settings);
  return { ok: true, mode: context.settings.mode === "on" ? "on" : "dry-run", approvals: 1, approvalsNeeded: needed, ready: needed <= 1, action: current, inUse: [] };
}

/**
 * How a ready request is carried out under REMEDIATION as it is now: the Admin API is `call`ed only
 * with `on`; `dry-run` only describes the call; `off` refuses. Slack, the CLI and the cron all carry
 * out requests through this one decision (./execute.ts), so no entry point can write in another mode.
 */
export function executionGuard(settings: Pick<RemediationSettings, "mode">): { ok: true; call: boolean } | Refusal<GuardName> {
  const mode = modeGuard(settings);
  if (mode) return mode;
  return { ok: true, call: settings.mode === "on" };
}

/** When a request made at `requestedAt` expires (ISO 8601), or null when the time cannot be read. */
export function requestExpiresAt(requestedAt: string): string | null {
  const made = Date.parse(requestedAt);
  return Number.isNaN(made) ? null : new Date(made + REQUEST_LIFETIME_MS).toISOString();
}

/** The UTC day of `now`, YYYY-MM-DD: the day whose executed actions count against REMEDIATION_MAX_PER_DAY. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** People who must agree, the requester included: REMEDIATION_APPROVALS, or 2 when it is not a whole number ≥ 1. */
export function approvalsNeeded(settings: Pick<RemediationSettings, "approvals">): number {
  return Number.isInteger(settings.approvals) && settings.approvals >= 1 ? settings.approvals : DEFAULT_REMEDIATION_APPROVALS;
}

/**
 * The keys of a plan used within the last 24 hours before `now` (a time that cannot be read, or in
 * the future, counts as in use), and those whose last use is unknown (they may have been).
 */
export function keysInUse(keys: readonly AffectedKey[], now: Date): AffectedKey[] {
  return keys.filter((key) => {
    if (key.last_used_unknown !== undefined) return true;
    if (key.last_used_at === null) return false;
    const used = Date.parse(key.last_used_at);
    return Number.isNaN(used) || now.getTime() - used < IN_USE_WINDOW_MS;
  });
}

/**
 * Until when a carried-out Disable offers Re-enable (ISO 8601): 7 days after it was executed, when it
 * was executed with REMEDIATION=on and confirmed, or left unconfirmed (the key may be inactive); null
 * when it offers none.
 */
export function reenableOfferedUntil(request: { action_kind: string; status: RemediationStatus; mode: "dry-run" | "on"; executed_at: string | null }): string | null {
  if (request.action_kind !== "disable_key" || request.mode !== "on" || (request.status !== "done" && request.status !== "unconfirmed")) return null;
  const executed = Date.parse(request.executed_at ?? "");
  return Number.isNaN(executed) ? null : new Date(executed + REENABLE_WINDOW_MS).toISOString();
}

/** The guards of the request itself; `approvals` is how many people agree once this check passes; `madeAt` when it was requested. */
function requestGuards(input: RequestInput, context: GuardContext, approvals: number, madeAt: Date): GuardResult {
  const { finding, action } = input;
  const { policy } = context;
  if (action.kind === "reenable_key") return undoGuards(input, context, approvals, madeAt);
  if (policy?.allowed_rules && !policy.allowed_rules.includes(finding.rule_id)) {
    return refuse(
      "policy-rules",
      `the policy's remediation.allowed_rules (${policy.allowed_rules.join(", ")}) do not include rule ${finding.rule_id}; findings of other rules are not remediated from Slack.`,
    );
  }
  if (policy?.actions && !(policy.actions as readonly string[]).includes(action.kind)) {
    return refuse("policy-actions", `the policy's remediation.actions (${policy.actions.join(", ")}) do not include ${action.kind}.`);
  }

  const plan = currentPlan(input, context);
  if (!plan.ok) return plan;
  const current = plan.action;

  const adminKeys = context.inventoryKeys.filter((k) => k.kind === "admin");
  for (const key of current.keysAffected) {
    const verdict =
      current.kind === "disable_key" ? anthropicOwnKeyVerdict(key, context.ownAdminKey) : key.kind === "admin" ? ownAdminKeyVerdict(key, context.ownAdminKey, adminKeys) : null;
    if (verdict && !verdict.safe) return refuse("own-admin-key", verdict.reason);
  }

  const inUse = keysInUse(current.keysAffected, context.now);
  if (inUse.length > 0 && input.acknowledgedInUse !== true) return inUseRefusal(current, inUse, context.now);

  const cap = dailyCapGuard(context);
  if (cap) return cap;

  const needed = approvalsNeeded(context.settings);
  return { ok: true, mode: context.settings.mode === "on" ? "on" : "dry-run", approvals, approvalsNeeded: needed, ready: approvals >= needed, action: current, inUse };
}

/** The requested action, planned again from the current inventory: it must still fit the finding and affect the same keys. */
function currentPlan(input: RequestInput, context: GuardContext): { ok: true; action: RemediationAction } | Refusal<GuardName> {
  const { finding, action } = input;
  if (action.finding.fingerprint !== finding.fingerprint || action.finding.key_id !== finding.key.id) {
    return refuse("fits-finding", `the action was planned for another finding (key ${action.finding.key_id}, rule ${action.finding.rule_id}), not this one.`);
  }
  const fitting = actionsFor(finding, context.inventoryKeys);
  const current = fitting.find((candidate) => candidate.kind === action.kind);
  if (!current) {
    const why = fitting.length > 0 ? `what fits: ${fitting.map((a) => a.kind).join(", ")}` : (whyNoActions(finding, context.inventoryKeys) ?? "nothing fits");
    return refuse("fits-finding", `${action.kind} does not fit this finding (rule ${finding.rule_id}, kind ${finding.rule_kind}, key ${finding.key.id}): ${why}`);
  }
  const sameRequest =
    current.request.method === action.request.method &&
    current.request.path === action.request.path &&
    JSON.stringify(current.request.body) === JSON.stringify(action.request.body);
  if (!sameRequest) {
    return refuse(
      "fits-finding",
      `the request planned (${action.request.method} ${action.request.path}) is not the one this finding gives now (${current.request.method} ${current.request.path}); request it again.`,
    );
  }
  const before = action.keysAffected.map((k) => k.id).sort();
  const now = current.keysAffected.map((k) => k.id).sort();
  if (before.join("\n") !== now.join("\n")) {
    return refuse(
      "fits-finding",
      `the keys the action affects changed since it was requested (then: ${before.join(", ")}; now: ${now.join(", ")}); request it again to review the new list.`,
    );
  }
  return { ok: true, action: current };
}

/**
 * The guards of a Re-enable besides mode, users and approvals: it undoes a Disable carried out at
 * most 7 days before it was requested and not re-enabled since, on a key that is inactive now; the
 * daily cap applies as to any write. Not checked, on purpose: the policy's `remediation:` section
 * (it narrows what is done about findings, and this undoes what it allowed), the own-admin-key guard
 * (re-enabling cuts nobody off) and the in-use check (an inactive key is used by nothing).
 */
function undoGuards(input: RequestInput, context: GuardContext, approvals: number, madeAt: Date): GuardResult {
  const { action } = input;
  const undone = context.undone;
  if (!undone || action.undoes !== undone.id) return refuse("undo-window", `the Disable request this Re-enable undoes (${action.undoes ?? "none named"}) cannot be read.`);
  const until = reenableOfferedUntil({ action_kind: undone.action.kind, status: undone.status, mode: undone.mode, executed_at: undone.executed_at });
  if (until === null) {
    return refuse("undo-window", `request ${undone.id} (${undone.action.kind}, ${undone.status}, REMEDIATION=${undone.mode}) is not a Disable carried out: there is nothing Keywarden re-enables.`);
  }
  if (madeAt.getTime() >= Date.parse(until)) {
    return refuse("undo-window", `request ${undone.id} was carried out at ${undone.executed_at} and Re-enable is offered for 7 days after it, until ${until}; set the key active in Anthropic's console if it must work again.`);
  }
  if (undone.undoneBy && ["done", "executing", "pending"].includes(undone.undoneBy.status)) {
    return refuse("undo-window", `request ${undone.id} is being or was undone already by ${undone.undoneBy.id} (${undone.undoneBy.status}).`);
  }
  if (action.finding.fingerprint !== input.finding.fingerprint || action.target.id !== input.finding.key.id) {
    return refuse("fits-finding", `the Re-enable was planned for another key (${action.target.id}), not this finding's (${input.finding.key.id}).`);
  }
  const current = reenableActionFor(undone.action, undone.id, context.inventoryKeys.find((k) => k.id === action.target.id));
  if ("why" in current) return refuse("fits-finding", current.why);
  if (current.request.path !== action.request.path || JSON.stringify(current.request.body) !== JSON.stringify(action.request.body)) {
    return refuse("fits-finding", `the request planned (${action.request.method} ${action.request.path}) is not the one the key gives now (${current.request.method} ${current.request.path}); request it again.`);
  }
  const cap = dailyCapGuard(context);
  if (cap) return cap;
  const needed = approvalsNeeded(context.settings);
  return { ok: true, mode: context.settings.mode === "on" ? "on" : "dry-run", approvals, approvalsNeeded: needed, ready: approvals >= needed, action: current, inUse: [] };
}

/** The in-use refusal: which keys were used in the last 24 hours, or may have been (last use unknown), and what the action may break. */
function inUseRefusal(action: RemediationAction, inUse: readonly AffectedKey[], now: Date): Refusal<GuardName> {
  const what = { demote_service_account: "demoting its service account", delete_service_account: "deleting its service account", disable_key: "disabling it" }[action.kind as string] ?? "deleting it";
  const one = inUse.length === 1;
  const describe = (key: AffectedKey) =>
    `${key.name ? `${JSON.stringify(key.name)} (${key.id}, ` : `${key.id} (`}${key.last_used_unknown !== undefined ? `last use unknown: ${key.last_used_unknown}` : `last used ${lastUsed(key.last_used_at, now)}`})`;
  const unknown = inUse.some((key) => key.last_used_unknown !== undefined);
  const used = unknown ? `${one ? "was" : "were"} used in the last 24 hours, or may have been (Keywarden cannot tell)` : `${one ? "was" : "were"} used in the last 24 hours`;
  return refuse(
    "in-use",
    `${one ? "key" : "keys"} ${inUse.map(describe).join(", ")} ${used}: ${what} may break whatever uses ${one ? "it" : "them"}. Request it again acknowledging that the key is in use.`,
  );
}

function modeGuard(settings: Pick<RemediationSettings, "mode">): Refusal<GuardName> | null {
  const mode = settings.mode;
  if (mode === "on" || mode === "dry-run") return null;
  return refuse("mode", "remediation is off (REMEDIATION=off, the default): Keywarden deletes nothing. Set REMEDIATION to dry-run or on to allow requests.");
}

function allowedUserGuard(user: string, role: "requester" | "approver", context: GuardContext): Refusal<GuardName> | null {
  if (context.allowedUsers.length === 0) return refuse("allowed-user", "no user is allowed to remediate: SLACK_ALLOWED_USERS is empty.");
  if (user !== "" && context.allowedUsers.includes(user)) return null;
  return refuse(
    "allowed-user",
    role === "requester"
      ? `the requester ${user || "(unknown user)"} is not among the users allowed to remediate (SLACK_ALLOWED_USERS).`
      : `${user || "(unknown user)"} is not among the users allowed to approve remediations (SLACK_ALLOWED_USERS).`,
  );
}

function expiryGuard(requestedAt: string, now: Date): Refusal<GuardName> | null {
  const expires = requestExpiresAt(requestedAt);
  if (expires === null) return refuse("expiry", "the time this request was made cannot be read, so it counts as expired; request it again.");
  if (now.getTime() < Date.parse(expires)) return null;
  return refuse("expiry", `this request was made at ${new Date(Date.parse(requestedAt)).toISOString()} and expired 24 hours later, at ${expires}; request it again.`);
}

function dailyCapGuard(context: GuardContext): Refusal<GuardName> | null {
  const { maxPerDay } = context.settings;
  const done = context.executedToday;
  if (!Number.isInteger(done) || done < 0) {
    return refuse("daily-cap", "the number of actions executed today is unknown, so Keywarden cannot tell whether REMEDIATION_MAX_PER_DAY is reached.");
  }
  if (!Number.isInteger(maxPerDay) || maxPerDay < 1) return refuse("daily-cap", "REMEDIATION_MAX_PER_DAY is not a whole number of at least 1.");
  if (done < maxPerDay) return null;
  const day = utcDay(context.now);
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 24 * 60 * 60 * 1000).toISOString();
  return refuse(
    "daily-cap",
    `${done} ${done === 1 ? "action was" : "actions were"} already executed today (${day}, UTC), and REMEDIATION_MAX_PER_DAY allows ${maxPerDay}; try again after ${next}.`,
  );
}

function lastUsed(iso: string | null, now: Date): string {
  const used = Date.parse(iso ?? "");
  if (Number.isNaN(used)) return `at an unreadable time (${JSON.stringify(iso)})`;
  const minutes = Math.round((now.getTime() - used) / 60_000);
  if (minutes < 0) return `${iso}, in the future`;
  const ago = minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`;
  return `${iso}, ${ago}`;
}

function refuse(guard: GuardName, why: string): Refusal<GuardName> {
  // Names and redacted values come from the API; whatever looks like a full secret among them goes.
  const sentence = /[.!?]$/.test(why) ? why : `${why}.`;
  return { ok: false, guard, message: redact(`Refused by the ${guard} guard: ${sentence}`) };
}
