/**
 * How a remediation request ends: executed under the day's cap (or, in dry-run mode, described),
 * refused, rejected or expired; each end recorded, its message in the channel updated, and the key's
 * owner told when their key went.
 */
import type { RemediationAction, RemediationRow, RemediationStatus } from "../model/remediation.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { ownerToTell } from "./accept-risk.js";
import { carryOut } from "./execute.js";
import { approvalsNeeded, reenableOfferedUntil, requestExpiresAt, utcDay } from "./guards.js";
import type { Answer, DecideDeps, ReenableState, RequestState } from "./ports.js";
import { storedAction, storedFinding } from "./stored-request.js";

/**
 * Claims the request under the day's cap (one statement: of two approvals at once, one executes)
 * and runs it: the call (or, in dry-run mode, its description), the listing that confirms it, the
 * record, the updated message, and a word to the key's owner. Whatever happens after the claim, the
 * request is finished: an error leaves it unconfirmed, never executing.
 */
export async function executeApproved(deps: DecideDeps, id: string, action: RemediationAction, actor: string, now: Date): Promise<Answer> {
  const store = deps.remediations;
  const settings = deps.settings.remediation;
  const mode = settings.mode === "on" ? "on" : "dry-run";
  const claim = await store.claim(id, mode, utcDay(now), now.toISOString(), settings.maxPerDay);
  if (claim === "taken") return { ok: false, message: `Request ${id} is already being executed or was decided.` };
  if (claim === "stale") return { ok: false, message: `Request ${id} expired, or was made with another REMEDIATION mode; request it again.` };
  if (claim === "cap") {
    const message = `Refused by the daily-cap guard: REMEDIATION_MAX_PER_DAY (${settings.maxPerDay}) actions were already executed today (${utcDay(now)}, UTC).`;
    await endRequest(deps, id, "refused", actor, message);
    return { ok: false, message };
  }
  let status: RemediationStatus = "unconfirmed";
  let httpStatus: number | null = null;
  let outcome =
    action.target.type === "api_key"
      ? "the execution stopped before it could confirm anything: the key's status may or may not have changed; check it in Anthropic's console."
      : "the execution stopped before it could confirm anything: the key may or may not be gone; check it in the OpenAI dashboard.";
  try {
    // The claim matched the request's mode to REMEDIATION's; carryOut asks REMEDIATION once more itself.
    const carried = await carryOut(action, settings, { keys: deps.keys, secrets: deps.settings.secrets });
    status = carried.status;
    httpStatus = carried.httpStatus;
    outcome = carried.message;
  } catch (error) {
    log.error(`keywarden: ${id}: the execution failed: ${redact(error instanceof Error ? error.message : String(error), deps.settings.secrets)}`);
  } finally {
    await store.finish(id, { status, http_status: httpStatus, outcome, at: deps.clock.now().toISOString(), actor });
  }
  log.info(`keywarden: ${id}: ${status}${httpStatus !== null ? ` (HTTP ${httpStatus})` : ""}`);
  await refreshMessage(deps, id, now);
  if (status === "done" || status === "already_gone") await tellOwner(deps, id);
  return { ok: status !== "failed" && status !== "unconfirmed", message: `${id}: ${status}: ${outcome}` };
}

/** Ends a pending request; decided when written (a run's evidence covers decisions by when they were recorded). */
export async function endRequest(deps: DecideDeps, id: string, status: "rejected" | "refused", by: string | null, why: string): Promise<void> {
  if (await deps.remediations.decide(id, status, by, deps.clock.now().toISOString(), why)) {
    log.info(`keywarden: ${id}: ${status}`);
    await refreshMessage(deps, id, deps.clock.now());
  }
}

/** Whether the request's 24 hours are over; if so, every request due is settled first. */
export async function expireIfDue(deps: DecideDeps, requestedAt: string, now: Date): Promise<boolean> {
  const expires = requestExpiresAt(requestedAt);
  if (expires !== null && now.getTime() < Date.parse(expires)) return false;
  await expireStaleRequests(deps, now);
  return true;
}

/**
 * Marks every request pending for 24 hours expired (decided when it expired), finishes any left
 * executing by a lost isolate as unconfirmed, and says so on their messages.
 */
export async function expireStaleRequests(deps: DecideDeps, now: Date): Promise<number> {
  const ended = await deps.remediations.settleDue(now);
  for (const id of ended) {
    log.info(`keywarden: ${id}: expired or left executing; recorded`);
    await refreshMessage(deps, id, now);
  }
  return ended.length;
}

/** The request as its message shows it, from what is stored now. */
export async function requestState(deps: DecideDeps, id: string, now: Date): Promise<RequestState | null> {
  const row = await deps.remediations.get(id);
  if (!row) return null;
  const reenable = await reenableState(deps, row, now);
  return {
    id: row.id,
    mode: row.mode,
    action: storedAction(row),
    finding: storedFinding(row),
    reason: row.reason,
    requested_by: row.requested_by,
    requested_at: row.requested_at,
    approvals: await deps.remediations.approvals(row.id),
    approvalsNeeded: approvalsNeeded(deps.settings.remediation),
    status: row.status,
    outcome: row.outcome,
    decided_by: row.decided_by,
    now,
    ...(reenable ? { reenable } : {}),
  };
}

/** What a carried-out Disable's message says of Re-enable (offered for 7 days, unless one is under way or done); undefined for any other request. */
async function reenableState(deps: DecideDeps, row: RemediationRow, now: Date): Promise<ReenableState | undefined> {
  const until = reenableOfferedUntil(row);
  if (until === null) return undefined;
  const undo = await deps.remediations.undoOf(row.id);
  const underway = undo !== null && ["pending", "executing", "done"].includes(undo.status);
  return { until, offered: !underway && now.getTime() < Date.parse(until), request: undo ? { id: undo.id, status: undo.status } : null };
}

/** Updates the request message in the channel with the request's current state, and that of the Disable it undoes (a Re-enable's). */
export async function refreshMessage(deps: DecideDeps, id: string, now: Date, alsoUndone = true): Promise<void> {
  const row = await deps.remediations.get(id);
  const { notifier } = deps;
  if (!row || !notifier) return;
  try {
    if (row.channel && row.message_ts) {
      const state = await requestState(deps, id, now);
      if (state) await notifier.updateRequest({ channel: row.channel, ts: row.message_ts }, state);
    }
    const undoes = alsoUndone && row.action_kind === "reenable_key" ? storedAction(row).undoes : undefined;
    if (undoes !== undefined) await refreshMessage(deps, undoes, now, false);
  } catch (error) {
    log.error(`keywarden: ${id}: the request message could not be updated: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The key's owner (a user with a Slack account) is told their key was revoked, by whom and why. */
async function tellOwner(deps: DecideDeps, id: string): Promise<void> {
  const row = await deps.remediations.get(id);
  const { notifier } = deps;
  if (!row || !notifier) return;
  try {
    const owner = ownerToTell(await notifier.ownerInSlack(storedFinding(row)));
    if (owner === undefined) log.error(`keywarden: ${id}: the owner could not be told: Slack did not say who owns the key`);
    if (!owner) return;
    const state = await requestState(deps, id, deps.clock.now());
    if (state) await notifier.tellOwnerRevoked(owner, state);
  } catch (error) {
    log.error(`keywarden: ${id}: the owner could not be told: ${error instanceof Error ? error.message : String(error)}`);
  }
}
