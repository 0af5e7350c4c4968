/**
 * Revoke from Slack: the Revoke… menu opens a confirmation modal, its submission records a request
 * and posts it to the report channel, a different allowed user approves it there, and the approved
 * action is executed (or, in dry-run mode, described), confirmed by listing again, recorded and
 * shown. Every guard is in ../remediation/guards.ts; this module only reads, calls and records.
 */
import type { WebClient } from "@slack/web-api";
import type { RunFinding } from "../model/run.js";
import type { Config } from "../config.js";
import { AdminApi } from "../providers/openai/admin-api.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "../util/retry.js";
import type { KeyRecord } from "../model/inventory.js";
import type { RemediationAction } from "./actions.js";
import { allowedActions, whyNoAllowedActions } from "./allowed.js";
import { freshKeysFor } from "../providers/openai/actions.js";
import { carryOut } from "./execute.js";
import { type GuardContext, type Refusal, approvalsNeeded, checkApproval, checkRequest, keysInUse, requestExpiresAt, utcDay } from "./guards.js";
import { createSlackClient } from "../slack/send.js";
import { IN_USE_BLOCK, REASON_BLOCK, ACTION_BLOCK, MIN_REVOKE_REASON, requestMessage, revokeModal } from "../slack/remediation-blocks.js";
import { type RemediationRow, RemediationStore } from "../store/remediations.js";
import { RunHistory } from "../store/run-history.js";
import type { Policy } from "../policy/index.js";
import { sha256Hex } from "../util/hash.js";
import { redact } from "../util/redact.js";
import { visibleLength } from "../util/visible-length.js";
import { ownerSlackId } from "./accept-risk.js";
import { log } from "../util/log.js";
import { parsedBundledPolicy } from "../policy/bundled.js";

/** The fresh listing must come back in time for views.open (Slack's trigger id lives 3 s). */
const PLAN_LISTING_DEADLINE_MS = 2_000;

export interface SlackUser {
  id: string;
  name: string;
}

export type Answer = { ok: true; message?: string } | { ok: false; message: string };

function adminApi(config: Config, timeoutMs = 10_000): AdminApi {
  return new AdminApi({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl, timeoutMs, retry: DEFAULT_RETRY_POLICY, sleep: realSleep });
}

function slackClient(config: Config): WebClient | null {
  return config.slack ? createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets }) : null;
}

async function guardContext(env: Env, config: Config, policy: Policy, inventoryKeys: readonly KeyRecord[], now: Date): Promise<GuardContext> {
  const settings = config.remediation;
  const mode = settings.mode === "on" ? "on" : "dry-run";
  return {
    settings,
    allowedUsers: config.slackAllowedUsers,
    policy: policy.remediation,
    ownAdminKey: config.openaiAdminKey,
    inventoryKeys,
    executedToday: await new RemediationStore(env.DB).executedOn(utcDay(now), mode),
    now,
  };
}

/** What the modal carries to its submission: the finding (and the run whose report was clicked), and per action the SHA-256 of the key ids the form showed (checked again there). */
interface RevokeMetadata {
  f: string;
  r: string;
  k: Record<string, string>;
}

/** The finding a Revoke… click is about, as the clicked report's run recorded it: that run's policy governs the request. */
export interface RevokeTarget {
  fingerprint: string;
  runId: string;
}

function keysDigest(action: RemediationAction): string {
  return sha256Hex(action.keysAffected.map((k) => k.id).sort().join("\n"));
}

/**
 * The policy a finding was evaluated under: its `remediation:` section narrows what may be done, so a
 * policy that can no longer be read (renamed, invalid) allows nothing rather than everything.
 */
function policyOf(name: string): Policy | Refusal {
  return parsedBundledPolicy(name) ?? { ok: false, guard: "policy-rules", message: `Refused: policy "${name}", under which the finding was made, is no longer bundled or no longer valid, so its remediation: section cannot be checked.` };
}

function isRefusal(value: Policy | Refusal): value is Refusal {
  return (value as Refusal).ok === false;
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | "timeout"> {
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

interface RevokePlan {
  finding: RunFinding;
  /** The bundled policy's name, as the run history records it (not the policy's own `name:`). */
  policyName: string;
  policy: Policy;
  keys: KeyRecord[];
  actions: RemediationAction[];
}

/**
 * What the form is opened with and its submission checked against: the finding as the clicked
 * report's run recorded it, that run's policy, no other request open for it, and the actions that fit, from keys listed fresh (within
 * Slack's 3 s). A refusal is a sentence for the user.
 */
async function planRevoke(env: Env, config: Config, { fingerprint, runId }: RevokeTarget): Promise<RevokePlan | { message: string }> {
  const history = new RunHistory(env.DB);
  const found = await history.findingOfRun(runId, fingerprint);
  if (!found) return { message: "Keywarden has no record of this finding in the run of this report. Nothing was requested." };
  const policy = policyOf(found.policy_name);
  if (isRefusal(policy)) return { message: policy.message };
  const open = await new RemediationStore(env.DB).openFor(fingerprint);
  if (open) return { message: `Request ${open.id} for this finding is already ${open.status}: approve or reject it in the channel first.` };
  const listed = await withDeadline(freshKeysFor(found.finding, adminApi(config, PLAN_LISTING_DEADLINE_MS), config.openaiAdminKey), PLAN_LISTING_DEADLINE_MS);
  if (listed === "timeout") return { message: "The Admin API took too long to list the keys that would go; try again. Nothing was requested." };
  if (!listed.ok) return { message: redact(`Keywarden could not list the keys that would go: ${listed.message}. Nothing was requested.`, config.secrets) };
  const actions = allowedActions(found.finding, listed.items, policy.remediation);
  if (actions.length === 0) return { message: `Nothing can be done about this finding from Slack: ${whyNoAllowedActions(found.finding, listed.items, policy.remediation)}` };
  return { finding: found.finding, policyName: found.policy_name, policy, keys: listed.items, actions };
}

/** Revoke… was chosen: check, list the affected keys fresh, and open the confirmation modal. A refusal is returned for an ephemeral answer. */
export async function openRevokeModal(env: Env, config: Config, user: SlackUser, triggerId: string, target: RevokeTarget, now = new Date()): Promise<Answer> {
  const settings = config.remediation;
  if (settings.mode === "off") return { ok: false, message: "Remediation is off (REMEDIATION=off): Keywarden deletes nothing." };
  if (!config.slackAllowedUsers.includes(user.id)) return { ok: false, message: "You may not request remediations: you are not in SLACK_ALLOWED_USERS." };
  const client = slackClient(config);
  if (!client) return { ok: false, message: "Keywarden cannot open the form: SLACK_BOT_TOKEN is off." };
  const plan = await planRevoke(env, config, target);
  if ("message" in plan) return { ok: false, message: plan.message };
  const { finding, actions } = plan;
  const inUse = keysInUse(actions.flatMap((a) => a.keysAffected), now);
  const metadata: RevokeMetadata = { f: target.fingerprint, r: target.runId, k: Object.fromEntries(actions.map((a) => [a.kind, keysDigest(a)])) };
  const view = revokeModal({ finding, actions, mode: settings.mode, inUse: dedupe(inUse), approvalsNeeded: approvalsNeeded(settings), privateMetadata: JSON.stringify(metadata), now });
  // Names come fresh from the API: a secret a key's name holds goes before Slack sees it.
  await client.views.open({ trigger_id: triggerId, view: JSON.parse(redact(JSON.stringify(view), config.secrets)) as never });
  return { ok: true };
}

function dedupe<T extends { id: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [item.id, item])).values()];
}

type ViewValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null; selected_options?: { value?: string }[] | null }>>;

/**
 * The modal's submission: checked again from scratch (form values are not trusted), recorded as a
 * pending request, posted to the report channel; executed at once only when REMEDIATION_APPROVALS=1.
 * Errors are per input block, for `response_action: errors`.
 */
export async function submitRevoke(
  env: Env,
  config: Config,
  user: SlackUser,
  privateMetadata: string,
  values: ViewValues,
  now = new Date(),
): Promise<{ ok: true; after: () => Promise<void> } | { ok: false; errors: Record<string, string> }> {
  const fail = (message: string) => ({ ok: false as const, errors: { [REASON_BLOCK]: message } });
  let metadata: RevokeMetadata;
  try {
    metadata = JSON.parse(privateMetadata) as RevokeMetadata;
    if (typeof metadata.f !== "string" || typeof metadata.r !== "string" || typeof metadata.k !== "object" || metadata.k === null) throw new Error("shape");
  } catch {
    return fail("This form cannot be read; open it again from the finding.");
  }
  const field = (block: string) => Object.values(values[block] ?? {})[0];
  const reason = (field(REASON_BLOCK)?.value ?? "").trim();
  if (visibleLength(reason) < MIN_REVOKE_REASON) return fail(`Say why it must go, in at least ${MIN_REVOKE_REASON} characters (spaces and invisible characters do not count).`);
  const acknowledgedInUse = (field(IN_USE_BLOCK)?.selected_options ?? []).some((o) => o?.value === "acknowledged");

  const plan = await planRevoke(env, config, { fingerprint: metadata.f, runId: metadata.r });
  if ("message" in plan) return fail(plan.message);
  const { finding, policyName, policy, keys, actions } = plan;
  const chosenKind = field(ACTION_BLOCK)?.selected_option?.value ?? actions[0]?.kind;
  const action = actions.find((a) => a.kind === chosenKind);
  if (!action) return fail(`That action no longer fits this finding: what fits is ${actions.map((a) => a.kind).join(", ")}.`);
  if (metadata.k[action.kind] !== keysDigest(action)) {
    return fail("The keys that would go changed since the form opened: close it and open it again to review the new list. Nothing was requested.");
  }

  const context = await guardContext(env, config, policy, keys, now);
  const checked = checkRequest({ finding, action, requestedBy: user.id, acknowledgedInUse }, context);
  if (!checked.ok) return { ok: false, errors: { [checked.guard === "in-use" && values[IN_USE_BLOCK] ? IN_USE_BLOCK : REASON_BLOCK]: clipError(checked.message) } };

  const store = new RemediationStore(env.DB);
  const row = {
    id: `rem_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    fingerprint: metadata.f,
    policy_name: policyName,
    rule_id: finding.rule_id,
    key_id: finding.key.id,
    action_kind: action.kind,
    summary: redact(action.summary, config.secrets),
    action_json: redact(JSON.stringify(checked.action), config.secrets),
    finding_json: redact(JSON.stringify(finding), config.secrets),
    mode: checked.mode,
    reason: redact(reason, config.secrets),
    acknowledged_in_use: acknowledgedInUse ? 1 : 0,
    requested_by: user.id,
    requested_by_name: user.name,
    requested_at: now.toISOString(),
  };
  const made = await store.create(row);
  if (!made.ok) return fail(`Request ${made.open.id} for this finding is already ${made.open.status}: approve or reject it in the channel first. Nothing was requested.`);
  log.info(`keywarden: ${row.id}: ${user.id} requested ${action.kind} of ${action.target.id} (${checked.mode})`);
  return {
    ok: true,
    after: async () => {
      try {
        const client = slackClient(config);
        if (client && config.slack) {
          const posted = await client.chat.postMessage({ channel: config.slack.channel, ...(await messageOf(env, config, row.id, now)) } as never);
          if (posted.channel && posted.ts) await store.setMessage(row.id, posted.channel, posted.ts);
        }
        if (checked.ready) await executeApproved(env, config, row.id, checked.action, user.id, new Date());
      } catch (error) {
        log.error(`keywarden: ${row.id}: the request could not be posted: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}

/** Slack shows at most 2,000 characters per block error. */
function clipError(message: string): string {
  return message.length > 1_900 ? `${message.slice(0, 1_899)}…` : message;
}

/** The request a click decides, while it is pending and the clicking user is allowed; else what to tell them. */
async function pendingRequest(store: RemediationStore, id: string, config: Config, user: SlackUser): Promise<RemediationRow | { ok: false; message: string }> {
  const row = await store.get(id);
  if (!row) return { ok: false, message: `There is no remediation request ${id}.` };
  if (row.status !== "pending") return { ok: false, message: `Request ${row.id} is already ${row.status}.` };
  if (!config.slackAllowedUsers.includes(user.id)) return { ok: false, message: "You may not decide remediations: you are not in SLACK_ALLOWED_USERS." };
  return row;
}

/** Guards that only turn this click away; every other refusal ends the request. */
const PERSONAL_GUARDS = new Set(["second-approver", "approvals"]);

/** Approve on the request message. Returns what to tell the clicking user (ephemeral). */
export async function approveRemediation(env: Env, config: Config, user: SlackUser, requestId: string, now = new Date()): Promise<Answer> {
  const store = new RemediationStore(env.DB);
  const row = await pendingRequest(store, requestId, config, user);
  if ("message" in row) return row;
  if (await expireIfDue(env, config, row, now)) return { ok: false, message: `Request ${row.id} expired 24 hours after it was made; request it again.` };
  const mode = config.remediation.mode;
  if (mode !== row.mode) {
    // What the approvers were shown (a dry run, or a real call) is what runs, or nothing does.
    const message = `Refused: the request was made with REMEDIATION=${row.mode} and REMEDIATION is now ${mode}; request it again.`;
    await endRequest(env, config, row.id, "refused", user.id, message);
    return { ok: false, message };
  }
  const policy = policyOf(row.policy_name);
  if (isRefusal(policy)) {
    await endRequest(env, config, row.id, "refused", user.id, policy.message);
    return { ok: false, message: policy.message };
  }

  const finding = JSON.parse(row.finding_json) as RunFinding;
  const action = JSON.parse(row.action_json) as RemediationAction;
  const listed = await freshKeysFor(finding, adminApi(config), config.openaiAdminKey);
  if (!listed.ok) return { ok: false, message: redact(`Keywarden could not list the keys to check the request again: ${listed.message}. Nothing was done; try again.`, config.secrets) };
  // An earlier approver no longer allowed does not count any more.
  const approvedBy = (await store.approvals(row.id)).map((a) => a.approver).filter((id) => config.slackAllowedUsers.includes(id));
  const context = await guardContext(env, config, policy, listed.items, now);
  const pending = { finding, action, requestedBy: row.requested_by, acknowledgedInUse: row.acknowledged_in_use === 1, requestedAt: row.requested_at, approvedBy };
  const checked = checkApproval(pending, user.id, context);
  if (!checked.ok && checked.guard === "approvals" && user.id !== row.requested_by) {
    // Enough people approved already, yet it is still pending: the isolate that stored the last
    // approval was lost before it could run it. Every guard of the request is checked again, then it runs.
    const again = checkRequest(pending, context);
    if (!again.ok) {
      await endRequest(env, config, row.id, "refused", user.id, again.message);
      return { ok: false, message: again.message };
    }
    return executeApproved(env, config, row.id, again.action, user.id, now);
  }
  if (!checked.ok) {
    if (PERSONAL_GUARDS.has(checked.guard)) return { ok: false, message: checked.message };
    await endRequest(env, config, row.id, "refused", user.id, checked.message);
    return { ok: false, message: checked.message };
  }
  if (!(await store.approve(row.id, { approver: user.id, approver_name: user.name, approved_at: new Date().toISOString() }))) {
    return { ok: false, message: `You have already approved ${row.id}, or it was decided meanwhile.` };
  }
  log.info(`keywarden: ${row.id}: approved by ${user.id}`);
  // Counted again after this approval was stored: two approvals at the same moment may together be enough.
  const approvals = 1 + (await store.approvals(row.id)).filter((a) => config.slackAllowedUsers.includes(a.approver) && a.approver !== row.requested_by).length;
  if (approvals < checked.approvalsNeeded) {
    await refreshMessage(env, config, row.id, now);
    return { ok: true, message: `Approved: ${row.id} needs ${checked.approvalsNeeded - approvals} more approval(s).` };
  }
  return executeApproved(env, config, row.id, checked.action, user.id, now);
}

/**
 * Claims the request under the day's cap (one statement: of two approvals at once, one executes)
 * and runs it: the call (or, in dry-run mode, its description), the listing that confirms it, the
 * record, the updated message, and a word to the key's owner. Whatever happens after the claim, the
 * request is finished: an error leaves it unconfirmed, never executing.
 */
async function executeApproved(env: Env, config: Config, id: string, action: RemediationAction, actor: string, now: Date): Promise<Answer> {
  const store = new RemediationStore(env.DB);
  const settings = config.remediation;
  const mode = settings.mode === "on" ? "on" : "dry-run";
  const claim = await store.claim(id, mode, utcDay(now), now.toISOString(), settings.maxPerDay);
  if (claim === "taken") return { ok: false, message: `Request ${id} is already being executed or was decided.` };
  if (claim === "stale") return { ok: false, message: `Request ${id} expired, or was made with another REMEDIATION mode; request it again.` };
  if (claim === "cap") {
    const message = `Refused by the daily-cap guard: REMEDIATION_MAX_PER_DAY (${settings.maxPerDay}) actions were already executed today (${utcDay(now)}, UTC).`;
    await endRequest(env, config, id, "refused", actor, message);
    return { ok: false, message };
  }
  let status: RemediationRow["status"] = "unconfirmed";
  let httpStatus: number | null = null;
  let outcome = "the execution stopped before it could confirm anything: the key may or may not be gone; check it in the OpenAI dashboard.";
  try {
    // The claim matched the request's mode to REMEDIATION's; carryOut asks REMEDIATION once more itself.
    const carried = await carryOut(action, settings, { api: adminApi(config), adminKey: config.openaiAdminKey, secrets: config.secrets });
    status = carried.status;
    httpStatus = carried.httpStatus;
    outcome = carried.message;
  } catch (error) {
    log.error(`keywarden: ${id}: the execution failed: ${redact(error instanceof Error ? error.message : String(error), config.secrets)}`);
  } finally {
    await store.finish(id, { status, http_status: httpStatus, outcome, at: new Date().toISOString(), actor });
  }
  log.info(`keywarden: ${id}: ${status}${httpStatus !== null ? ` (HTTP ${httpStatus})` : ""}`);
  await refreshMessage(env, config, id, now);
  if (status === "done" || status === "already_gone") await tellOwner(env, config, id);
  return { ok: status !== "failed" && status !== "unconfirmed", message: `${id}: ${status}: ${outcome}` };
}

/** Reject on the request message: any allowed user but the requester. */
export async function rejectRemediation(env: Env, config: Config, user: SlackUser, requestId: string, now = new Date()): Promise<Answer> {
  const row = await pendingRequest(new RemediationStore(env.DB), requestId, config, user);
  if ("message" in row) return row;
  if (user.id === row.requested_by) return { ok: false, message: "You made this request: another allowed user must approve or reject it." };
  if (await expireIfDue(env, config, row, now)) return { ok: false, message: `Request ${row.id} had already expired.` };
  await endRequest(env, config, row.id, "rejected", user.id, `rejected by ${user.name}`);
  return { ok: true, message: `Rejected ${row.id}.` };
}

/** Ends a pending request; decided when written (a run's evidence covers decisions by when they were recorded). */
async function endRequest(env: Env, config: Config, id: string, status: "rejected" | "refused", by: string | null, why: string): Promise<void> {
  if (await new RemediationStore(env.DB).decide(id, status, by, new Date().toISOString(), why)) {
    log.info(`keywarden: ${id}: ${status}`);
    await refreshMessage(env, config, id, new Date());
  }
}

async function expireIfDue(env: Env, config: Config, row: RemediationRow, now: Date): Promise<boolean> {
  const expires = requestExpiresAt(row.requested_at);
  if (expires !== null && now.getTime() < Date.parse(expires)) return false;
  await expireStaleRequests(env, config, now);
  return true;
}

/**
 * Marks every request pending for 24 hours expired (decided when it expired), finishes any left
 * executing by a lost isolate as unconfirmed, and says so on their messages.
 */
export async function expireStaleRequests(env: Env, config: Config, now = new Date()): Promise<number> {
  const store = new RemediationStore(env.DB);
  const ended = await store.settleDue(now);
  for (const id of ended) {
    log.info(`keywarden: ${id}: expired or left executing; recorded`);
    await refreshMessage(env, config, id, now);
  }
  return ended.length;
}

async function messageOf(env: Env, config: Config, id: string, now: Date): Promise<{ text: string; blocks: Record<string, unknown>[] }> {
  const store = new RemediationStore(env.DB);
  const row = (await store.get(id)) as RemediationRow;
  return requestMessage({
    id: row.id,
    mode: row.mode,
    action: JSON.parse(row.action_json) as RemediationAction,
    finding: JSON.parse(row.finding_json) as RunFinding,
    reason: row.reason,
    requested_by: row.requested_by,
    requested_at: row.requested_at,
    approvals: await store.approvals(row.id),
    approvalsNeeded: approvalsNeeded(config.remediation),
    status: row.status,
    outcome: row.outcome,
    decided_by: row.decided_by,
    now,
  });
}

/** Updates the request message in the channel with the request's current state. */
async function refreshMessage(env: Env, config: Config, id: string, now: Date): Promise<void> {
  const row = await new RemediationStore(env.DB).get(id);
  const client = slackClient(config);
  if (!row?.channel || !row.message_ts || !client) return;
  try {
    const message = await messageOf(env, config, id, now);
    await client.chat.update({ channel: row.channel, ts: row.message_ts, text: message.text, blocks: message.blocks as never });
  } catch (error) {
    log.error(`keywarden: ${id}: the request message could not be updated: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The key's owner (a user with a Slack account) is told their key was revoked, by whom and why. */
async function tellOwner(env: Env, config: Config, id: string): Promise<void> {
  const row = await new RemediationStore(env.DB).get(id);
  const client = slackClient(config);
  if (!row || !client) return;
  try {
    const owner = await ownerSlackId(client, JSON.parse(row.finding_json) as RunFinding);
    if (owner === undefined) log.error(`keywarden: ${id}: the owner could not be told: Slack did not say who owns the key`);
    if (!owner) return;
    const message = await messageOf(env, config, id, new Date());
    const intro = "A key of yours was revoked by Keywarden:";
    await client.chat.postMessage({ channel: owner, text: `${intro} ${message.text}`, blocks: [{ type: "section", text: { type: "mrkdwn", text: intro } }, ...message.blocks] as never });
  } catch (error) {
    log.error(`keywarden: ${id}: the owner could not be told: ${error instanceof Error ? error.message : String(error)}`);
  }
}
